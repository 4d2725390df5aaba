/** Commands of the donation pool's outflow: categories, beneficiaries, allocation runs and their credit side. */
import { z } from 'zod';
import { idSchema, positiveCentipointsSchema } from '../events/common.js';
import { beneficiaryIdSchema, categoryPrioritySchema } from '../events/pool-events.js';
import { nameFieldSchema, textFieldSchema } from '../text.js';
import { erasureReasonSchema } from '../events/volunteer-events.js';
import { commandBase } from './volunteer-commands.js';

/** Adds a category, or changes an existing one's title, priority or allowance from now on. */
export const configureBeneficiaryCategorySchema = z.strictObject({
  type: z.literal('ConfigureBeneficiaryCategory'),
  ...commandBase,
  categoryId: idSchema,
  title: textFieldSchema,
  priority: categoryPrioritySchema,
  monthlyAllowanceCentipoints: positiveCentipointsSchema,
});

export const registerBeneficiarySchema = z.strictObject({
  type: z.literal('RegisterBeneficiary'),
  ...commandBase,
  beneficiaryId: beneficiaryIdSchema,
  categoryId: idSchema,
  community: textFieldSchema,
  name: nameFieldSchema,
  contact: textFieldSchema,
});

/** Erases a beneficiary's name and contact: their data key is destroyed once the event is stored. */
export const eraseBeneficiaryDataSchema = z.strictObject({
  type: z.literal('EraseBeneficiaryData'),
  ...commandBase,
  beneficiaryId: beneficiaryIdSchema,
  reason: erasureReasonSchema,
});

/** One allocation run over the pool's balance for the current local month (docs/domain.md). */
export const allocatePoolPointsSchema = z.strictObject({
  type: z.literal('AllocatePoolPoints'),
  ...commandBase,
});

/** The credit side of an allocation, issued by `react` on `PoolPointsAllocated`; targets the beneficiary's stream. */
export const receivePoolAllocationSchema = z.strictObject({
  type: z.literal('ReceivePoolAllocation'),
  ...commandBase,
  volunteerId: beneficiaryIdSchema,
  allocationId: idSchema,
  categoryId: idSchema,
  community: textFieldSchema,
  centipoints: positiveCentipointsSchema,
});

export const POOL_COMMAND_SCHEMAS = [
  configureBeneficiaryCategorySchema,
  registerBeneficiarySchema,
  allocatePoolPointsSchema,
  receivePoolAllocationSchema,
  eraseBeneficiaryDataSchema,
] as const;

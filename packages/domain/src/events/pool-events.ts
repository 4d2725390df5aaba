/**
 * The donation pool's outflow: beneficiary categories with their priority and monthly allowance,
 * beneficiaries, and allocations of pool points. Categories, beneficiaries and allocations live
 * on the `donation-pool` stream, so that an allocation run is decided against the pool's balance
 * and every beneficiary's allocation so far under one expected revision. The credit side of an
 * allocation (`PoolAllocationReceived`) lands on the beneficiary's own spending stream.
 */
import { z } from 'zod';
import {
  actorSchema,
  eventBase,
  idSchema,
  instantSchema,
  movementFields,
  personal,
  positiveCentipointsSchema,
  shortTextSchema,
} from './common.js';
import { erasureReasonSchema } from './volunteer-events.js';

/**
 * A beneficiary's id: `b-` and up to 98 more id characters. Volunteer ids are `v` and 32 hex
 * digits, so a beneficiary's spending stream can never be a volunteer's.
 */
export const BENEFICIARY_ID_PATTERN = /^b-[A-Za-z0-9_.:-]{1,98}$/;
export const beneficiaryIdSchema = z.string().regex(BENEFICIARY_ID_PATTERN, 'expected b- and an id');
export const isBeneficiaryId = (id: string): boolean => BENEFICIARY_ID_PATTERN.test(id);

/** 1 is the highest priority; categories with the same priority are served in category-id order. */
export const categoryPrioritySchema = z.number().int().min(1).max(1000);

/** A local month, `YYYY-MM`: the period a monthly allowance counts against. */
export const allocationPeriodSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM');

export const beneficiaryCategoryConfiguredData = z.object({
  ...eventBase,
  categoryId: idSchema,
  title: shortTextSchema,
  priority: categoryPrioritySchema,
  /** What each beneficiary of the category is allocated at most per local month, in centipoints. */
  monthlyAllowanceCentipoints: positiveCentipointsSchema,
  configuredAt: instantSchema,
  actor: actorSchema,
});

export const beneficiaryRegisteredData = z.object({
  ...eventBase,
  beneficiaryId: beneficiaryIdSchema,
  categoryId: idSchema,
  /** The community whose desk may give the beneficiary's spend consent (codes, mandates). */
  community: shortTextSchema,
  /** Personal data, sealed under the data subject `beneficiary:<beneficiaryId>`. */
  name: personal(shortTextSchema),
  contact: personal(shortTextSchema),
  registeredAt: instantSchema,
  actor: actorSchema,
});

/** The debit side of an allocation: `donation-pool` → `in-transit`. */
export const poolPointsAllocatedData = z.object({
  ...eventBase,
  ...movementFields,
  allocationId: idSchema,
  /** The allocation run this is part of: one administrator's command. */
  runId: idSchema,
  beneficiaryId: beneficiaryIdSchema,
  categoryId: idSchema,
  /** The beneficiary's community, carried to the credit side so the account opens knowing its desk. */
  community: shortTextSchema,
  /** The local month whose allowance the allocation counts against. */
  period: allocationPeriodSchema,
  allocatedAt: instantSchema,
  actor: actorSchema,
});

/**
 * On the beneficiary's spending stream (`volunteer-<beneficiaryId>`): the credit side of an
 * allocation, `in-transit` → `volunteer:<beneficiaryId>`. The first one opens the account.
 */
export const poolAllocationReceivedData = z.object({
  ...eventBase,
  ...movementFields,
  volunteerId: beneficiaryIdSchema,
  allocationId: idSchema,
  categoryId: idSchema,
  community: shortTextSchema,
  receivedAt: instantSchema,
});

/**
 * A beneficiary's data key (`beneficiary:<beneficiaryId>`) is destroyed right after this event:
 * their name and contact read as `[erased]` everywhere. Their spending account and its history
 * stay; they are left out of later allocation runs. No personal data.
 */
export const beneficiaryDataErasedData = z.object({
  ...eventBase,
  beneficiaryId: beneficiaryIdSchema,
  reason: erasureReasonSchema,
  erasedAt: instantSchema,
  actor: actorSchema,
});

export const POOL_OUTFLOW_EVENT_DATA = {
  BeneficiaryCategoryConfigured: beneficiaryCategoryConfiguredData,
  BeneficiaryRegistered: beneficiaryRegisteredData,
  PoolPointsAllocated: poolPointsAllocatedData,
  BeneficiaryDataErased: beneficiaryDataErasedData,
} as const;

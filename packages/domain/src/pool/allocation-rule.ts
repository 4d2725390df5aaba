/**
 * The allocation rule of the donation pool (docs/domain.md, "The donation pool pays out").
 *
 * Each beneficiary category has a priority (1 highest) and a monthly allowance per beneficiary.
 * A run walks the beneficiaries in order (category priority, then category id, then registration
 * order) and tops each one up to its category's allowance for the month, as far as the pool's
 * balance goes. So no beneficiary is paid while one before it in that order is below its
 * allowance: the elderly living alone and those in hardship are filled first (the policy's
 * "donated points go first to …"), and within a category whoever registered first.
 */

export interface AllocationCategory {
  readonly categoryId: string;
  readonly priority: number;
  readonly monthlyAllowanceCentipoints: number;
}

export interface AllocationBeneficiary {
  readonly beneficiaryId: string;
  readonly categoryId: string;
  /** Registration order on the pool stream: 0, 1, 2, … */
  readonly sequence: number;
}

export interface AllocationInput {
  readonly poolBalanceCentipoints: number;
  readonly categories: ReadonlyMap<string, AllocationCategory>;
  readonly beneficiaries: readonly AllocationBeneficiary[];
  /** What each beneficiary was allocated in the current period so far, in centipoints. */
  readonly allocatedThisPeriod: ReadonlyMap<string, number>;
}

export interface PlannedAllocation {
  readonly beneficiaryId: string;
  readonly categoryId: string;
  readonly centipoints: number;
}

/** The order a run serves beneficiaries in; a beneficiary whose category is unknown is never served. */
export function allocationOrder(
  categories: ReadonlyMap<string, AllocationCategory>,
  beneficiaries: readonly AllocationBeneficiary[],
): AllocationBeneficiary[] {
  return beneficiaries
    .filter((beneficiary) => categories.has(beneficiary.categoryId))
    .sort((a, b) => {
      const left = categories.get(a.categoryId)!;
      const right = categories.get(b.categoryId)!;
      if (left.priority !== right.priority) return left.priority - right.priority;
      if (a.categoryId !== b.categoryId) return a.categoryId < b.categoryId ? -1 : 1;
      return a.sequence - b.sequence;
    });
}

/** What one run allocates: the top-ups, in serving order, never more than the pool holds. */
export function planAllocation(input: AllocationInput): PlannedAllocation[] {
  let remaining = input.poolBalanceCentipoints;
  const planned: PlannedAllocation[] = [];
  for (const beneficiary of allocationOrder(input.categories, input.beneficiaries)) {
    if (remaining <= 0) break;
    const allowance = input.categories.get(beneficiary.categoryId)!.monthlyAllowanceCentipoints;
    const received = input.allocatedThisPeriod.get(beneficiary.beneficiaryId) ?? 0;
    const centipoints = Math.min(Math.max(0, allowance - received), remaining);
    if (centipoints === 0) continue;
    planned.push({
      beneficiaryId: beneficiary.beneficiaryId,
      categoryId: beneficiary.categoryId,
      centipoints,
    });
    remaining -= centipoints;
  }
  return planned;
}

/** English messages of the organiser's open-disputes screen (see disputes-zh-cn.ts). */
import type { disputesZhCN } from './disputes-zh-cn.js';

export const disputesEn: Record<keyof typeof disputesZhCN, string> = {
  'nav.disputes': 'Open disputes',
  'disputes.title': 'Open disputes',
  'disputes.intro':
    'A volunteer disputes a record they believe is wrong. Check it, then dismiss the report (with a note), void the record, or correct its times. Your reason is shown to the volunteer.',
  'disputes.caption': '{count} open',
  'disputes.empty': 'No open disputes.',
  'disputes.filedAt': 'Filed',
  'disputes.volunteer': 'Volunteer number',
  'disputes.record': 'Kind / record',
  'disputes.text': "The volunteer's words",
  'disputes.resolution': 'Resolution',
  'disputes.kind.missing_hours': 'Hours missing',
  'disputes.kind.wrong_times': 'Wrong times',
  'disputes.kind.not_mine': 'Not their record',
  'disputes.reason': 'Reason',
  'disputes.reasonNeeded': 'Please give a reason first.',
  'disputes.timesNeeded': 'Please give the new start and end before correcting.',
  'disputes.startAt': 'New start (Beijing time)',
  'disputes.endAt': 'New end (Beijing time)',
  'disputes.dismiss': 'Dismiss',
  'disputes.void': 'Void record',
  'disputes.correct': 'Correct record',
  'disputes.done.dismissed': "Volunteer {volunteer}'s dispute dismissed",
  'disputes.done.voided': 'Record voided (volunteer {volunteer})',
  'disputes.done.corrected': 'Record corrected (volunteer {volunteer})',
};

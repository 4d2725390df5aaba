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
  'dDispute.title': 'Report an error',
  'dDispute.open': "File a dispute on the volunteer's behalf",
  'dDispute.intro':
    'Check who is asking first. Choose the kind: for wrong times or a record that is not theirs, choose the record; for hours never recorded, give the id of the organisation that ran the activity. That organisation checks and resolves it.',
  'dDispute.kind': 'Kind of dispute',
  'dDispute.kindChoose': 'Choose',
  'dDispute.record': 'The wrong record',
  'dDispute.recordChoose': 'Choose a record',
  'dDispute.noRecords': 'The volunteer has no service records',
  'dDispute.recordOption': '{when} {activity} ({organisation})',
  'dDispute.organisation': 'Id of the organisation that ran the activity',
  'dDispute.text': "The volunteer's words",
  'dDispute.submit': 'File the dispute',
  'dDispute.kindNeeded': 'Please choose the kind of dispute.',
  'dDispute.recordNeeded': 'Please choose the wrong record.',
  'dDispute.organisationNeeded':
    'For missing hours, please give the id of the organisation that ran the activity.',
  'dDispute.organisationInvalid':
    'An organisation id has only letters, digits and _ . : - (at most 100 characters).',
  'dDispute.textNeeded': "Please write the volunteer's words.",
  'dDispute.textTooLong': "The volunteer's words are at most {max} characters.",
  'dDispute.textInvalid':
    "The volunteer's words contain an invisible control character; remove it and retry.",
  'dDispute.filed': 'Dispute filed; organisation {organisation} will check it.',
};

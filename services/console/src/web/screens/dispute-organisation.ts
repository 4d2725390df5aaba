/**
 * The organisation a missing-hours dispute names, on the desk's dispute form (card-dispute.ts):
 * picked from the registered organisations (`GET /v1/admin/organisations`, which desks may read),
 * or typed. The API also takes a community's id (the volunteer's own, or one the hierarchy holds),
 * and communities are not in that list, so a typed id stays possible.
 */
import { call } from '../lib/api.js';
import { field, h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { allPages, type Paged } from '../lib/pages.js';
import type { Session } from '../lib/session.js';

/** An organisation id as the API accepts ids (`idSchema`: letters, digits and `_ . : -`, at most 100). */
const ORGANISATION_ID = /^[\w.:-]{1,100}$/;
/** The choice that opens the typed id: never an organisation's id, which has no `*`. */
const TYPED = '*typed';

/** An organisation as `GET /v1/admin/organisations` lists it. */
interface ListedOrganisation {
  readonly organisationId: string;
  readonly name: string;
  readonly community: string;
  readonly status: 'active' | 'suspended';
}

/**
 * The picker's options: the registered organisations (the desk's community's first, then by
 * name; a suspended one still answers for its records, so it is listed, marked), the desk's
 * community (service its desk organised) unless an organisation has its id, and TYPED.
 */
function organisationOptions(
  organisations: readonly ListedOrganisation[],
  community: string,
): { readonly value: string; readonly label: string }[] {
  const sorted = [...organisations].sort(
    (a, b) =>
      Number(b.community === community) - Number(a.community === community) ||
      a.name.localeCompare(b.name, 'zh-CN') ||
      a.organisationId.localeCompare(b.organisationId),
  );
  const listed = sorted.map(({ organisationId, name, status }) => ({
    value: organisationId,
    label: t(status === 'suspended' ? 'dDispute.organisationSuspended' : 'dDispute.organisationOption', {
      name,
      id: organisationId,
    }),
  }));
  const own =
    community === '' || organisations.some((organisation) => organisation.organisationId === community)
      ? []
      : [{ value: community, label: t('dDispute.organisationCommunity', { id: community }) }];
  return [
    { value: '', label: t('dDispute.organisationChoose') },
    ...listed,
    ...own,
    { value: TYPED, label: t('dDispute.organisationTyped') },
  ];
}

export interface OrganisationPicker {
  /** The labelled choice and the labelled typed id, for the form. */
  readonly fields: readonly HTMLElement[];
  readonly inputs: readonly HTMLElement[];
  /** Shows the picker (for missing hours) or hides it; the list is read the first time it shows. */
  show(visible: boolean): void;
  /** The input to fix and the sentence saying what is wrong, or null when an id is given. */
  invalid(): { readonly input: HTMLElement; readonly message: string } | null;
  /** The organisation id to send. */
  value(): string;
}

export function organisationPicker(session: Session): OrganisationPicker {
  const community = session.scopeId ?? '';
  const choice = h('select', { name: 'organisation', id: 'dispute-organisation-choice' });
  const typed = h('input', {
    name: 'organisationId',
    id: 'dispute-organisation',
    autocomplete: 'off',
    maxlength: 100,
  });
  const hint = h('p', { class: 'hint', hidden: true });
  const choiceField = field(t('dDispute.organisationChoice'), choice, hint);
  const typedField = field(t('dDispute.organisation'), typed);
  const fill = (organisations: readonly ListedOrganisation[]): void => {
    const chosen = choice.value;
    choice.replaceChildren(
      ...organisationOptions(organisations, community).map(({ value, label }) =>
        h('option', { value }, label),
      ),
    );
    // A choice made while the list was read stays made.
    if ([...choice.options].some((option) => option.value === chosen)) choice.value = chosen;
  };
  fill([]);
  let visible = false;
  const showTyped = () => typedField.toggleAttribute('hidden', !visible || choice.value !== TYPED);
  choice.addEventListener('change', showTyped);

  // Read when the picker first shows (most card visits file no dispute), every page of it; again
  // after a failure, which leaves the community and the typed id, and a hint saying so.
  let reading: Promise<void> | null = null;
  const read = (): Promise<void> =>
    allPages(
      (path) => call<Paged & { organisations: ListedOrganisation[] }>(session, path),
      '/v1/admin/organisations',
    ).then(
      (pages) => {
        fill(pages.flatMap((page) => page.organisations));
        hint.toggleAttribute('hidden', true);
      },
      () => {
        hint.textContent = t('dDispute.organisationsUnavailable');
        hint.removeAttribute('hidden');
        reading = null;
      },
    );

  return {
    fields: [choiceField, typedField],
    inputs: [choice, typed],
    show(shown) {
      visible = shown;
      choiceField.toggleAttribute('hidden', !shown);
      showTyped();
      if (shown && reading === null) reading = read();
    },
    invalid() {
      if (choice.value === '') return { input: choice, message: t('dDispute.organisationNeeded') };
      if (choice.value !== TYPED) return null;
      const id = typed.value.trim();
      if (id === '') return { input: typed, message: t('dDispute.organisationTypedNeeded') };
      if (!ORGANISATION_ID.test(id)) return { input: typed, message: t('dDispute.organisationInvalid') };
      return null;
    },
    value() {
      return choice.value === TYPED ? typed.value.trim() : choice.value;
    },
  };
}

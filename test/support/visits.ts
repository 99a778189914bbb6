/** A pre-administration checklist with every answer within the default limits (tests vary one field from it). */
export const GOOD_CHECK = {
  identifiers: ['NAME', 'DATE_OF_BIRTH'],
  consentValid: true,
  observations: { temperatureC: 36.8, pulse: 72, systolic: 124, diastolic: 78, spo2: 98 },
  symptoms: { FEVER_OR_INFECTION: false, BREATHLESSNESS: false, CHEST_PAIN_OR_PALPITATIONS: false, ANKLE_SWELLING: false, REACTION_LAST_DOSE: false, OTHER_NEW_SYMPTOM: false },
  decision: 'give',
};

/** NHS Data Dictionary ethnic category codes (2001 census categories), as recorded in the registry. */
export const ETHNIC_CATEGORIES: Record<string, string> = {
  A: 'White – British',
  B: 'White – Irish',
  C: 'White – any other White background',
  D: 'Mixed – White and Black Caribbean',
  E: 'Mixed – White and Black African',
  F: 'Mixed – White and Asian',
  G: 'Mixed – any other mixed background',
  H: 'Asian or Asian British – Indian',
  J: 'Asian or Asian British – Pakistani',
  K: 'Asian or Asian British – Bangladeshi',
  L: 'Asian or Asian British – any other Asian background',
  M: 'Black or Black British – Caribbean',
  N: 'Black or Black British – African',
  P: 'Black or Black British – any other Black background',
  R: 'Other ethnic groups – Chinese',
  S: 'Other ethnic groups – any other ethnic group',
  Z: 'Not stated',
  '99': 'Not known',
};

export const SEXES = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Not known' } as const;

/** ICD-10 code shape, for example C50.9 (malignant neoplasm of breast, unspecified). */
export const ICD10 = /^[A-Z]\d{2}(\.\d{1,2})?$/;

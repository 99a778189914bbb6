/** Deterministic demo patients with NHS numbers from the 999 range reserved for testing (all pass Modulus 11). */

const GIVEN = ['Margaret', 'Susan', 'Aisha', 'Helen', 'Grace', 'Fatima', 'Janet', 'Priya', 'Linda', 'Chloe', 'Mary', 'Nadia', 'Patricia', 'Joanne', 'Amira', 'Ruth'];
const FAMILY = ['Smith', 'Jones', 'Khan', 'Williams', 'Taylor', 'Begum', 'Davies', 'Patel', 'Evans', 'Thomas', 'Roberts', 'Ali', 'Walker', 'Wright', 'Hughes', 'Green'];
const POSTCODES = ['B9 5SS', 'B24 9HA', 'B70 7DT', 'B91 2JL', 'B15 2TH', 'B18 7QH', 'ZZ99 3VZ', 'B36 8HY'];

/** Appends the Modulus 11 check digit, or returns undefined when the stem has none (check digit 10). */
export function withCheckDigit(stem: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  return check === 10 ? undefined : stem + String(check);
}

export function demoPatients(trustKey: string, n: number) {
  const offset = trustKey.charCodeAt(0) - 97;
  const list = [];
  let seq = 0;
  for (let k = 0; list.length < n; k++) {
    const stem = `999${String(offset).padStart(2, '0')}${String(k + 1000).slice(-4)}`;
    const nhsNumber = withCheckDigit(stem);
    if (!nhsNumber) continue;
    const j = seq++ + offset * 5;
    const year = 1950 + ((j * 7) % 35);
    const month = String(1 + ((j * 5) % 12)).padStart(2, '0');
    const day = String(1 + ((j * 11) % 28)).padStart(2, '0');
    list.push({
      nhsNumber,
      givenName: GIVEN[j % GIVEN.length]!,
      familyName: FAMILY[(j * 3) % FAMILY.length]!,
      dateOfBirth: `${year}-${month}-${day}`,
      postcode: POSTCODES[j % POSTCODES.length],
    });
  }
  return list;
}

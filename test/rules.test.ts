import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPseudoPostcode, isValidNhsNumber, normalisePostcode, formatNhsNumber } from '../src/patients/rules.ts';
import { isLocked, sessionState, IDLE_TIMEOUT_MS, ABSOLUTE_TIMEOUT_MS } from '../src/identity/rules.ts';
import { agreementActive, agreementStatus } from '../src/organisations/rules.ts';
import { decide, POLICY, ACTIONS } from '../src/access/policy.ts';
import { ROLES } from '../src/access/roles.ts';

test('NHS number Modulus 11 (spec §12.1): the Data Dictionary example and the edge cases', () => {
  assert.equal(isValidNhsNumber('943 476 5919'), true, 'the spec example 943 476 5919 is valid');
  assert.equal(isValidNhsNumber('9434765919'), true);
  assert.equal(isValidNhsNumber('9434765918'), false, 'wrong check digit');
  assert.equal(isValidNhsNumber('0000000000'), false, 'one repeated digit is refused even though the arithmetic passes');
  assert.equal(isValidNhsNumber('94347659'), false, 'too short');
  assert.equal(isValidNhsNumber('94347659AB'), false, 'non-digits');
  // A stem whose check digit would be 10 is never valid, whatever the 10th digit.
  const stem = '123456781'; // 1*10+2*9+3*8+4*7+5*6+6*5+7*4+8*3+1*2 = 194; 194 % 11 = 7; 11-7 = 4
  assert.equal(isValidNhsNumber(stem + '4'), true);
  let tenStem = '';
  for (let n = 100000000; n < 100001000; n++) {
    const s = String(n);
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(s[i]) * (10 - i);
    if (11 - (sum % 11) === 10) { tenStem = s; break; }
  }
  for (let d = 0; d <= 9; d++) assert.equal(isValidNhsNumber(tenStem + d), false);
  // Remainder 0 → 11 → check digit 0.
  let zeroStem = '';
  for (let n = 200000000; n < 200001000; n++) {
    const s = String(n);
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(s[i]) * (10 - i);
    if (sum % 11 === 0) { zeroStem = s; break; }
  }
  assert.equal(isValidNhsNumber(zeroStem + '0'), true);
  assert.equal(formatNhsNumber('9434765919'), '943 476 5919');
});

test('NHS number check agrees with a reference implementation on 10,000 random numbers', () => {
  const reference = (s: string) => {
    if (!/^\d{10}$/.test(s) || /^(\d)\1{9}$/.test(s)) return false;
    const total = [...s.slice(0, 9)].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0);
    const r = 11 - (total % 11);
    const check = r === 11 ? 0 : r;
    return check !== 10 && check === Number(s[9]);
  };
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 10_000; i++) {
    const s = String(Math.floor(rand() * 1e10)).padStart(10, '0');
    assert.equal(isValidNhsNumber(s), reference(s), s);
  }
});

test('postcodes: BS7666 shapes and NHS pseudo-postcodes', () => {
  assert.equal(normalisePostcode('b9 5ss'), 'B9 5SS');
  assert.equal(normalisePostcode('ZZ993VZ'), 'ZZ99 3VZ');
  assert.equal(normalisePostcode('EC1A 1BB'), 'EC1A 1BB');
  assert.equal(normalisePostcode('12345'), undefined);
});

test('E11 postcodes: the BS7666 shapes are accepted and normalised; a Q first or a C in the inward code is refused; ZZ99 3VZ is the pseudo-postcode', () => {
  for (const p of ['SW1A 1AA', 'EC1A 1BB', 'W1A 0AX', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'GIR 0AA']) assert.equal(normalisePostcode(p), p, p);
  assert.equal(normalisePostcode('sw1a1aa'), 'SW1A 1AA');
  assert.equal(normalisePostcode('QA1 1AA'), undefined, 'Q in position 1');
  assert.equal(normalisePostcode('M1 1CA'), undefined, 'C in the inward code');
  assert.equal(normalisePostcode('ZZ99 3VZ'), 'ZZ99 3VZ');
  assert.equal(isPseudoPostcode('ZZ99 3VZ'), true);
  assert.equal(isPseudoPostcode('SW1A 1AA'), false);
});

test('sessions: idle timeout 15 minutes, absolute 12 hours, ended is ended', () => {
  const t0 = new Date('2026-06-01T09:00:00Z');
  const s = { createdAt: t0, lastSeenAt: t0, endedAt: null };
  assert.equal(sessionState(s, new Date(t0.getTime() + IDLE_TIMEOUT_MS - 1)), 'active');
  assert.equal(sessionState(s, new Date(t0.getTime() + IDLE_TIMEOUT_MS)), 'idle-expired');
  const busy = { createdAt: t0, lastSeenAt: new Date(t0.getTime() + ABSOLUTE_TIMEOUT_MS - 60_000), endedAt: null };
  assert.equal(sessionState(busy, new Date(t0.getTime() + ABSOLUTE_TIMEOUT_MS)), 'absolute-expired');
  assert.equal(sessionState({ ...s, endedAt: t0 }, t0), 'ended');
});

test('lockout: 5 failures within 15 minutes lock for 15 minutes from the last failure', () => {
  const now = new Date('2026-06-01T09:20:00Z');
  const ago = (min: number) => new Date(now.getTime() - min * 60_000);
  assert.equal(isLocked([ago(1), ago(2), ago(3), ago(4)], now), false, '4 failures do not lock');
  assert.equal(isLocked([ago(1), ago(2), ago(3), ago(4), ago(5)], now), true, '5 failures lock');
  assert.equal(isLocked([ago(1), ago(2), ago(3), ago(4), ago(16)], now), false, 'spread over more than 15 minutes');
  assert.equal(isLocked([ago(15), ago(16), ago(17), ago(18), ago(19)], now), false, 'lock over 15 minutes after the last failure');
  assert.equal(isLocked([ago(14), ago(16), ago(17), ago(18), ago(19)], now), true, 'still inside the 15-minute lock');
});

test('agreements: in force from start to end date inclusive, never once ended', () => {
  const a = { startsOn: '2026-01-01', endsOn: '2026-12-31', endedAt: null };
  assert.equal(agreementActive(a, '2025-12-31'), false);
  assert.equal(agreementActive(a, '2026-01-01'), true);
  assert.equal(agreementActive(a, '2026-12-31'), true);
  assert.equal(agreementActive(a, '2027-01-01'), false);
  assert.equal(agreementActive({ ...a, endedAt: new Date() }, '2026-06-01'), false);
  assert.equal(agreementStatus(a, '2027-01-01'), 'expired');
  assert.equal(agreementStatus({ ...a, endsOn: null }, '2030-01-01'), 'active');
});

test('policy: default deny, commissioners and the network get no patient-level action', () => {
  for (const action of ACTIONS) assert.equal(decide(undefined, action), action === 'public');
  for (const role of ['commissioner', 'network-lead'] as const) {
    for (const action of ['patient:list', 'patient:read', 'patient:create', 'episode:create', 'episode:update'] as const) assert.equal(decide(role, action), false);
  }
  for (const role of ROLES) for (const [action, grants] of Object.entries(POLICY)) assert.equal(decide(role, action as never), grants[role] !== undefined);
  assert.equal(decide('provider-nurse', 'patient:create'), false, 'providers never register patients');
  assert.equal(decide('trust-nurse', 'user:manage'), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blocksRelease, riskRating, RATING_MEANING } from '../src/safety/risk-matrix.ts';
import { GSTT, NORTH_DEVON, surveillancePlan } from '../src/followup/surveillance-rules.ts';

test('E14: H01 (maintenance given when re-load required) Major × Low → 3 (undesirable); with controls verified, Very Low → 2', () => {
  assert.equal(riskRating('Major', 'Low'), 3);
  assert.equal(RATING_MEANING[3], 'Undesirable: acceptable only when further reduction is impractical');
  assert.equal(riskRating('Major', 'Very Low'), 2);
  // The seed hazard log's ratings (spec §7.1) and the matrix corners.
  assert.equal(riskRating('Major', 'Medium'), 3); // H03
  assert.equal(riskRating('Considerable', 'Medium'), 3); // H05
  assert.equal(riskRating('Considerable', 'Low'), 2); // H06
  assert.equal(riskRating('Minor', 'Very Low'), 1);
  assert.equal(riskRating('Catastrophic', 'Very High'), 5);
  assert.equal(riskRating('Significant', 'Very High'), 4);
  assert.equal(blocksRelease(4), true, 'rule 40: residual risk 4 or more blocks release');
  assert.equal(blocksRelease(3), false);
});

test('E13: surveillance after diagnosis on 2026-05-01 — North Devon five annual mammograms, then to 50 or screening; GSTT stops at 50', () => {
  const five = ['2027-05-01', '2028-05-01', '2029-05-01', '2030-05-01', '2031-05-01'];
  assert.deepEqual(surveillancePlan(NORTH_DEVON, '2026-05-01', 58).mammograms, five, 'aged 58: after 2031, the screening programme');
  assert.equal(surveillancePlan(NORTH_DEVON, '2026-05-01', 58).then, 'NHS Breast Screening Programme (3-yearly to 73)');
  assert.deepEqual(surveillancePlan(NORTH_DEVON, '2026-05-01', 42).mammograms, [...five, '2032-05-01', '2033-05-01', '2034-05-01'], 'aged 42: yearly to 50 (2034)');
  assert.deepEqual(surveillancePlan(GSTT, '2026-05-01', 47).mammograms, ['2027-05-01', '2028-05-01', '2029-05-01'], 'GSTT aged 47: yearly until 50, so it stops at 2029');
  assert.deepEqual(surveillancePlan(GSTT, '2026-05-01', 58).mammograms, five, 'GSTT over 50: 5 years');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedEvents, EPISODE_EVENTS, EPISODE_STATES, transition, type EpisodeState } from '../src/pathway/episode-rules.ts';

test('the happy path from identification to completion', () => {
  let s: EpisodeState = 'identified';
  const steps = [['assess', { suitable: true }, 'suitable'], ['offer', {}, 'offered'], ['accept', {}, 'accepted'], ['refer', {}, 'referred'], ['provider-accept', {}, 'provider-accepted'], ['consent', {}, 'consented'], ['start-home', {}, 'active-at-home'], ['complete', {}, 'completed']] as const;
  for (const [event, data, expected] of steps) {
    const r = transition(s, event, data);
    assert.ok(r.ok, `${event} from ${s}`);
    s = r.to;
    assert.equal(s, expected);
  }
  assert.deepEqual(allowedEvents('completed'), [], 'completed is the end');
});

test('a declined patient can be offered again; a returned patient can be re-referred', () => {
  assert.deepEqual(transition('declined', 'offer'), { ok: true, to: 'offered' });
  assert.deepEqual(transition('returned-to-hospital', 'refer'), { ok: true, to: 'referred' });
  assert.deepEqual(transition('identified', 'assess', { suitable: false }), { ok: true, to: 'not-suitable' });
});

test('an illegal transition says what is allowed', () => {
  const r = transition('identified', 'start-home');
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.deepEqual(r.allowed, ['assess', 'discontinue']);
    assert.match(r.message, /You cannot start treatment at home while the episode is identified\. You can: record suitability, discontinue the episode\./);
  }
  const ended = transition('discontinued', 'offer');
  assert.equal(ended.ok, false);
  if (!ended.ok) assert.match(ended.message, /The episode has ended/);
});

test('property: 2,000 random event sequences never reach an undefined state and every refusal names the allowed events', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let run = 0; run < 2000; run++) {
    let s: EpisodeState = 'identified';
    for (let i = 0; i < 30; i++) {
      const event = EPISODE_EVENTS[rand(EPISODE_EVENTS.length)]!;
      const r = transition(s, event, { suitable: rand(2) === 0 });
      const legal = allowedEvents(s).includes(event);
      assert.equal(r.ok, legal);
      if (r.ok) {
        assert.ok(EPISODE_STATES.includes(r.to));
        s = r.to;
      } else {
        assert.deepEqual(r.allowed, allowedEvents(s));
      }
    }
  }
});

// Offline recording for the nurse's visit forms. Progressive enhancement only: without this file the forms post as
// normal. When the phone is offline, a form marked data-offline="true" is kept on the phone (localStorage) with its
// CSRF token and idempotency key instead of being posted, and sent when the phone is back online (and on any later
// page that loads this file). The key makes each recording count once however often it is sent: the server answers
// a repeat with 409 and a page saying it was already recorded, which is as good as sent.

const KEY = 'homeward.pending';
const status = document.getElementById('offline-status');
const user = status ? status.dataset.offlineUser || '' : '';
const sentNow = [];
let sending = false;
let signInNeeded = false;

function load() {
  try {
    const items = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}
const store = (items) => localStorage.setItem(KEY, JSON.stringify(items));
const mine = (item) => !item.user || item.user === user;
const keyOf = (item) => (item.fields.find(([k]) => k === 'idempotencyKey') || [])[1];
const when = (iso) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

/** What is on this phone, what was sent, and what the server would not take, in the status area. */
function render() {
  if (!status) return;
  const items = load();
  const waiting = items.filter((i) => mine(i) && !i.refused);
  const refused = items.filter((i) => mine(i) && i.refused);
  const others = items.filter((i) => !mine(i));
  const boxes = [];
  if (waiting.length) {
    const box = el('div', 'nhsuk-inset-text homeward-offline-saved');
    box.append(el('p', 'nhsuk-u-font-weight-bold', 'Saved on this phone — it will be sent when you are back online'));
    const list = el('ul', 'nhsuk-list nhsuk-list--bullet');
    for (const i of waiting) list.append(el('li', '', `${i.label}, saved at ${when(i.savedAt)}`));
    box.append(list);
    if (signInNeeded) box.append(el('p', '', 'Your session has ended. Sign in again on this phone to send it.'));
    boxes.push(box);
  }
  for (const i of refused) {
    const box = el('div', 'nhsuk-inset-text homeward-offline-refused');
    box.append(el('p', 'nhsuk-u-font-weight-bold', `Not sent: ${i.label}, saved at ${when(i.savedAt)}`));
    box.append(el('p', '', `${i.refused} Open the visit and record it again.`));
    const discard = el('button', 'nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0', 'Remove it from this phone');
    discard.type = 'button';
    discard.addEventListener('click', () => {
      store(load().filter((x) => x.id !== i.id));
      render();
    });
    box.append(discard);
    boxes.push(box);
  }
  if (sentNow.length && !waiting.length) {
    const box = el('div', 'nhsuk-inset-text homeward-offline-sent');
    box.append(el('p', 'nhsuk-u-font-weight-bold', `Sent: ${sentNow.map((i) => i.label).join(', ')}. Everything saved on this phone has been recorded.`));
    const again = el('a', '', 'Reload this page to see the record');
    again.href = location.pathname;
    const p = el('p');
    p.append(again);
    box.append(p);
    boxes.push(box);
  }
  if (others.length) boxes.push(el('p', 'nhsuk-inset-text', `${others.length} saved by someone else on this phone will be sent when they sign in.`));
  if (!navigator.onLine && !waiting.length) boxes.push(el('p', 'nhsuk-inset-text', 'You are offline. What you record will be saved on this phone and sent when you are back online.'));
  status.replaceChildren(...boxes);
}

function post(url, fields) {
  return fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The first message of the NHS error summary (or the page's heading) of a page the server answered with. */
function firstProblem(html) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const e = doc.querySelector('.nhsuk-error-summary li') || doc.querySelector('main p') || doc.querySelector('main h1');
  return e ? e.textContent.trim() : 'The server did not accept it.';
}

/** Sends what is waiting, oldest first; stops at the first network error (still offline) and keeps the rest. */
async function flush() {
  if (sending || !navigator.onLine) return;
  sending = true;
  try {
    const token = document.querySelector('input[name="_csrf"]');
    for (const item of load()) {
      if (item.refused || !mine(item)) continue;
      // The token of this page's session: the one saved with the item may belong to a session since ended.
      const fields = item.fields.map(([k, v]) => [k, k === '_csrf' && token ? token.value : v]);
      let res;
      try {
        res = await post(item.url, fields);
      } catch {
        break;
      }
      if (new URL(res.url).pathname === '/sign-in') {
        signInNeeded = true;
        break;
      }
      const html = res.ok ? '' : await res.text();
      if (res.ok || (res.status === 409 && html.includes('data-already-recorded'))) {
        store(load().filter((x) => x.id !== item.id));
        sentNow.push(item);
      } else if (res.status >= 500) {
        break;
      } else {
        store(load().map((x) => (x.id === item.id ? { ...x, refused: firstProblem(html) } : x)));
      }
    }
  } finally {
    sending = false;
    render();
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.offline !== 'true' || navigator.onLine) return;
  event.preventDefault();
  const item = {
    id: crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`,
    url: new URL(form.action, location.href).pathname,
    fields: [...new FormData(form)].map(([k, v]) => [k, String(v)]),
    savedAt: new Date().toISOString(),
    label: form.dataset.offlineLabel || 'Record',
    user,
  };
  // Pressing the button twice keeps one copy (the later answers); the server would count it once anyway.
  store([...load().filter((x) => !(x.url === item.url && keyOf(x) === keyOf(item))), item]);
  signInNeeded = false;
  render();
  status?.scrollIntoView({ block: 'center' });
});

window.addEventListener('online', () => void flush());
window.addEventListener('offline', render);
render();
void flush();

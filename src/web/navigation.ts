import { decide, type Action } from '../access/policy.ts';
import type { Role } from '../access/roles.ts';

// The header holds the places used every day; the administrator's clinical configuration pages (checklists, consent
// forms, letter templates, the IMD table) are listed on the administrator's home page, so the header never overflows.
const ITEMS: { href: string; text: string; action: Action }[] = [
  { href: '/', text: 'Home', action: 'session' },
  { href: '/patients', text: 'Patients', action: 'patient:list' },
  { href: '/worklists', text: 'Worklists', action: 'worklist:read' },
  { href: '/referrals', text: 'New referrals', action: 'referral:respond' },
  { href: '/worklists/prescribing', text: 'Prescribing', action: 'worklist:read' },
  { href: '/dispensing', text: 'Dispensing', action: 'prescribing:dispense' },
  { href: '/alerts', text: 'Alerts from home visits', action: 'alert:read' },
  { href: '/visits/today', text: 'Today’s visits', action: 'visit:record' },
  { href: '/visits/schedule', text: 'Visit schedule', action: 'visit:schedule' },
  { href: '/reports/provider-performance', text: 'Provider performance', action: 'performance:read' },
  { href: '/reports/monthly', text: 'Monthly report', action: 'report:read' },
  { href: '/admin/organisations', text: 'Organisations', action: 'org:manage' },
  { href: '/admin/users', text: 'Users', action: 'user:manage' },
  { href: '/admin/agreements', text: 'Agreements', action: 'agreement:manage' },
  { href: '/admin/regimens', text: 'Regimen library', action: 'regimen:manage' },
  { href: '/account/tokens', text: 'API tokens', action: 'token:manage' },
];

/** Header links for a role: only what the policy table lets it use. */
export function navigationFor(role: Role, currentUrl: string) {
  const path = currentUrl.split('?')[0] ?? '/';
  const items = ITEMS.filter((i) => decide(role, i.action));
  // Only the most specific matching link is marked: /worklists/prescribing is "Prescribing", not also "Worklists".
  const under = (href: string) => href !== '/' && (path === href || path.startsWith(`${href}/`));
  const best = items.filter((i) => under(i.href)).sort((a, b) => b.href.length - a.href.length)[0]?.href;
  return items.map((i) => ({ href: i.href, text: i.text, current: i.href === path, active: i.href === best }));
}

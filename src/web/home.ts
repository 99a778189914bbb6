import type { Role } from '../access/roles.ts';

interface Link {
  href: string;
  text: string;
  description: string;
}
interface Home {
  intro: string;
  links: Link[];
  coming: string[];
}

const PATIENTS: Link = { href: '/patients', text: 'Patients', description: 'Find a patient by NHS number, name or date of birth' };
const TOKENS: Link = { href: '/account/tokens', text: 'API tokens', description: 'Tokens that let an integration use the API as you' };

/** What each role's home page offers now, and the capabilities still being built for it. */
export function homeFor(role: Role): Home {
  switch (role) {
    case 'trust-nurse':
    case 'trust-prescriber':
      return {
        intro: 'Find and register patients, and refer them to a home-care provider.',
        links: [PATIENTS, { href: '/patients/new', text: 'Register a patient', description: 'Add a patient to your Trust’s registry' }, TOKENS],
        coming: role === 'trust-nurse'
          ? ['Suitability assessment, offer and choice', 'Worklists', 'Consent and GP letters']
          : ['Electronic prescribing and dose calculation', 'LVEF assessment and the cardiac safety gate', 'Deferrals that keep the schedule in step'],
      };
    case 'trust-pharmacist':
      return { intro: 'See your Trust’s patients.', links: [PATIENTS, TOKENS], coming: ['Clinical screening of prescriptions', 'Release to the provider'] };
    case 'cancer-manager':
      return { intro: 'See your Trust’s patients and, soon, its home-pathway performance.', links: [PATIENTS, TOKENS], coming: ['Monthly uptake report by unit', 'Incidents and reactions', 'CQUIN and QIPP figures'] };
    case 'provider-nurse':
      return { intro: 'See the patients referred to your organisation under an active agreement.', links: [PATIENTS, TOKENS], coming: ['Today’s visits on your phone', 'Pre-administration checklist and the administration record', 'Reactions and incidents'] };
    case 'provider-coordinator':
      return { intro: 'See the patients referred to your organisation under an active agreement.', links: [PATIENTS, TOKENS], coming: ['New referrals to accept', 'Visit scheduling by nurse'] };
    case 'provider-pharmacist':
      return { intro: 'See the patients referred to your organisation under an active agreement.', links: [PATIENTS, TOKENS], coming: ['Released prescriptions to dispense', 'Batch, expiry and cold-chain records'] };
    case 'commissioner':
      return { intro: 'Commissioners see aggregate figures only, never patient identifiers.', links: [TOKENS], coming: ['Monthly uptake by Trust and unit', 'CQUIN targets', 'QIPP savings'] };
    case 'network-lead':
      return { intro: 'The network sees aggregate figures across all Trusts, never patient identifiers.', links: [TOKENS], coming: ['Network uptake report and progress graph', 'Inequalities in uptake', 'Capacity released'] };
    case 'admin':
      return {
        intro: 'Manage organisations, units, staff accounts and data-sharing agreements.',
        links: [
          { href: '/admin/organisations', text: 'Organisations and units', description: 'Trusts, units, providers, commissioners and the network' },
          { href: '/admin/users', text: 'Users', description: 'Staff accounts, roles and unit limits' },
          { href: '/admin/agreements', text: 'Data-sharing agreements', description: 'What lets a provider see a Trust’s referred patients' },
          TOKENS,
        ],
        coming: ['Suitability checklists per regimen', 'GP letter templates', 'Regimen library'],
      };
  }
}

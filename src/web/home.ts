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
const WORKLISTS: Link = { href: '/worklists', text: 'Pathway worklists', description: 'Suitable but not offered, undecided, referrals waiting, returns this month' };
const PRESCRIBING: Link = { href: '/worklists/prescribing', text: 'Prescribing worklists', description: 'LVEF due, overdue and awaiting assessment; doses without a released prescription; prescriptions to screen' };
const ALERTS: Link = { href: '/alerts', text: 'Alerts from home visits', description: 'Reactions, doses not given and incidents reported by the provider' };
const MONTHLY: Link = { href: '/reports/monthly', text: 'Monthly report', description: 'Uptake by Trust and unit, reasons for declining, the progress graph, CQUIN and QIPP savings; CSV, Excel and PDF' };
const PERFORMANCE: Link = { href: '/reports/provider-performance', text: 'Provider performance', description: 'Visits on time, late and missed; days to the first home dose; returns to hospital' };
const STAFF_SURVEY: Link = { href: '/surveys/staff-evaluation', text: 'Staff evaluation survey', description: 'Tell the steering group how the home treatment service is working for you' };
const PATIENT_SURVEY: Link = { href: '/surveys/patient-satisfaction', text: 'Enter a patient survey', description: 'Copy a patient’s paper satisfaction survey (for an online link, open their episode)' };

/** What each role's home page offers now, and the capabilities still being built for it. */
export function homeFor(role: Role): Home {
  switch (role) {
    case 'trust-nurse':
    case 'trust-prescriber':
      return {
        intro: role === 'trust-nurse'
          ? 'Register patients, take them through the home pathway, and record weights, LVEF results and hospital doses.'
          : 'Take patients through the home pathway, prescribe each dose, assess LVEF results and keep the schedule in step.',
        links: [PATIENTS, { href: '/patients/new', text: 'Register a patient', description: 'Add a patient to your Trust’s registry' }, WORKLISTS, PRESCRIBING, ALERTS, ...(role === 'trust-nurse' ? [PATIENT_SURVEY] : []), STAFF_SURVEY, TOKENS],
        coming: ['National SACT data set export'],
      };
    case 'trust-pharmacist':
      return { intro: 'Screen prescriptions and release them to the home-care provider.', links: [PRESCRIBING, PATIENTS, ALERTS, STAFF_SURVEY, TOKENS], coming: ['National SACT data set export'] };
    case 'cancer-manager':
      return { intro: 'See your Trust’s patients, incidents and reactions from home visits, and the provider’s performance.', links: [PATIENTS, WORKLISTS, ALERTS, MONTHLY, PERFORMANCE, STAFF_SURVEY, TOKENS], coming: [] };
    case 'provider-nurse':
      return { intro: 'Your visits today, with the safety check for each dose, the administration record, reactions and incidents.', links: [{ href: '/visits/today', text: 'Today’s visits', description: 'Your visits today, each with its safety panel' }, PATIENTS, STAFF_SURVEY, TOKENS], coming: ['Remote monitoring after treatment'] };
    case 'provider-coordinator':
      return { intro: 'Answer new referrals, book and reschedule visits, and follow your service’s performance.', links: [{ href: '/referrals', text: 'New referrals', description: 'Referrals waiting for your answer' }, { href: '/visits/schedule', text: 'Visit schedule', description: 'Day and week views by nurse; book and reschedule visits' }, PERFORMANCE, PATIENTS, STAFF_SURVEY, TOKENS], coming: ['Remote monitoring after treatment'] };
    case 'provider-pharmacist':
      return { intro: 'Dispense the prescriptions the Trust has released to you, with batch, expiry and cold chain.', links: [{ href: '/dispensing', text: 'Dispensing', description: 'Released prescriptions to dispense and deliver' }, PATIENTS, STAFF_SURVEY, TOKENS], coming: ['Delivery tracking'] };
    case 'commissioner':
      return { intro: 'Commissioners see aggregate figures only, never patient identifiers.', links: [MONTHLY, PERFORMANCE, TOKENS], coming: [] };
    case 'network-lead':
      return { intro: 'The network sees aggregate figures across all Trusts, never patient identifiers.', links: [MONTHLY, PERFORMANCE, TOKENS], coming: ['Inequalities in uptake', 'Capacity released'] };
    case 'admin':
      return {
        intro: 'Manage organisations, units, staff accounts and data-sharing agreements.',
        links: [
          { href: '/admin/organisations', text: 'Organisations and units', description: 'Trusts, units, providers, commissioners and the network' },
          { href: '/admin/users', text: 'Users', description: 'Staff accounts, roles and unit limits' },
          { href: '/admin/agreements', text: 'Data-sharing agreements', description: 'What lets a provider see a Trust’s referred patients' },
          { href: '/admin/regimens', text: 'Regimen library', description: 'Regimens as versioned data: doses, schedule, monitoring, missed-dose rule' },
          { href: '/admin/checklists', text: 'Suitability checklists', description: 'The checklist of each regimen' },
          { href: '/admin/consent-forms', text: 'Consent forms', description: 'Versions of the treatment and data-sharing forms' },
          { href: '/admin/letter-templates', text: 'GP letter templates', description: 'The wording of the letters to GPs' },
          { href: '/admin/imd', text: 'IMD by postcode', description: 'The postcode to deprivation decile table' },
          { href: '/admin/report-settings', text: 'Report settings', description: 'CQUIN targets by period and the unit costs of the savings model, with every version saved' },
          MONTHLY,
          PERFORMANCE,
          TOKENS,
        ],
        coming: ['Reports and exports'],
      };
  }
}

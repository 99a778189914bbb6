/**
 * Word lists for plausible, fictional benchmark data: places for Trusts and units, names, streets, GP practices.
 * Nothing here names a real person or organisation on purpose.
 */

export const PLACES = [
  'Ashcombe', 'Barrowfield', 'Bramley Vale', 'Calderbrook', 'Chesterford', 'Dunmere', 'Eastleigh Cross', 'Elmstead', 'Fairholme', 'Foxley',
  'Glenmoor', 'Greystone', 'Hartwell', 'Hollinsford', 'Ivydale', 'Kingsmead', 'Langley Green', 'Larkhill', 'Marbury', 'Millbridge',
  'Netherby', 'Northcote', 'Oakhurst', 'Orchard Vale', 'Pendleford', 'Priors Wood', 'Queensbury', 'Redcliffe', 'Ridgeway', 'Rookwood',
  'Saltmarsh', 'Sandford', 'Stanway', 'Thornbury Heath', 'Tidewater', 'Upperton', 'Wadebridge', 'Westholme', 'Whitmore', 'Yarrowdale',
] as const;

export const TRUST_SUFFIXES = ['NHS Foundation Trust', 'University Hospitals NHS Trust', 'Hospitals NHS Trust', 'Teaching Hospitals NHS Foundation Trust', 'and District NHS Trust'] as const;

export const UNIT_KINDS = ['Hospital Chemotherapy Day Unit', 'Cancer Centre Day Unit', 'Oncology Day Unit', 'Community Hospital Chemotherapy Suite', 'Macmillan Unit'] as const;

export const PROVIDERS = ['Meridian Home Healthcare', 'Beacon Homecare Services', 'Hearthside Clinical Homecare', 'Northway Infusion at Home', 'Silverline Patient Services'] as const;

export const GIVEN_FEMALE = [
  'Margaret', 'Susan', 'Aisha', 'Helen', 'Grace', 'Fatima', 'Janet', 'Priya', 'Linda', 'Chloe', 'Mary', 'Nadia', 'Patricia', 'Joanne', 'Amira', 'Ruth',
  'Sarah', 'Emma', 'Karen', 'Deborah', 'Julie', 'Elizabeth', 'Catherine', 'Nicola', 'Angela', 'Rachel', 'Claire', 'Gillian', 'Sharon', 'Tracey', 'Zainab', 'Shabana',
  'Gurpreet', 'Harpreet', 'Nasreen', 'Yasmin', 'Abena', 'Chidinma', 'Grace', 'Oluwaseun', 'Mei', 'Lin', 'Agnieszka', 'Katarzyna', 'Siobhan', 'Bernadette', 'Maureen', 'Pauline',
  'Jennifer', 'Lorraine', 'Beverley', 'Hannah', 'Sophie', 'Laura', 'Rebecca', 'Victoria', 'Alison', 'Fiona', 'Hazel', 'Irene', 'Jean', 'Kathleen', 'Lesley', 'Wendy',
] as const;

export const GIVEN_MALE = ['David', 'John', 'Mohammed', 'Paul', 'Robert', 'Imran', 'Michael', 'Stephen', 'Kwame', 'Andrew', 'Rajesh', 'Peter'] as const;

export const FAMILY = [
  'Smith', 'Jones', 'Khan', 'Williams', 'Taylor', 'Begum', 'Davies', 'Patel', 'Evans', 'Thomas', 'Roberts', 'Ali', 'Walker', 'Wright', 'Hughes', 'Green',
  'Brown', 'Wilson', 'Johnson', 'Wood', 'Robinson', 'Thompson', 'White', 'Hall', 'Hussain', 'Edwards', 'Lewis', 'Clarke', 'Jackson', 'Turner', 'Hill', 'Moore',
  'Cooper', 'Ward', 'Morris', 'King', 'Watson', 'Harris', 'Baker', 'Harrison', 'Morgan', 'Martin', 'Allen', 'Mitchell', 'Shaw', 'Singh', 'Kaur', 'Ahmed',
  'Okafor', 'Mensah', 'Adeyemi', 'Chen', 'Wong', 'Nowak', 'Kowalski', "O'Brien", 'Murphy', 'Kelly', 'Campbell', 'Stewart', 'Bennett', 'Parker', 'Price', 'Bailey',
] as const;

export const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Park Avenue', 'Mill Lane', 'Victoria Road', 'Manor Close', 'The Green', 'Queens Road', 'Orchard Way', 'Elm Grove', 'Chapel Street', 'Grange Road', 'Meadow View', 'School Lane', 'Springfield Road'] as const;

/** Outward-code areas (first letters of real English postcode areas; districts and inward codes are made up). */
export const POSTCODE_AREAS = ['B', 'CV', 'LE', 'NG', 'DE', 'ST', 'WV', 'WS', 'DY', 'WR', 'HR', 'NN', 'LN', 'PE', 'S', 'DN', 'HU', 'YO', 'LS', 'BD', 'HX', 'M', 'OL', 'BL', 'WN', 'PR', 'BB', 'L', 'CH', 'CW', 'SK', 'TF', 'SY', 'GL', 'BS', 'BA', 'EX', 'PL', 'TQ', 'NE', 'SR', 'DH', 'TS', 'CA', 'LA', 'NR', 'IP', 'CB', 'CO', 'CM'] as const;

/** Letters allowed in the last two places of an inward code. */
export const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export const CONSULTANTS = ['Dr A Rahman', 'Dr E Whitaker', 'Dr S Okonjo', 'Dr L Fraser', 'Dr K Mistry', 'Dr J Hollis', 'Dr R Iqbal', 'Dr C Brennan'] as const;

export const CARDIOLOGISTS = ['Dr M Okafor (cardiology)', 'Dr T Lindqvist (cardiology)', 'Dr P Anand (cardiology)', 'Dr H Carver (cardiac physiology)'] as const;

export const SITES_IV = ['Left forearm', 'Right forearm', 'Left hand', 'Right hand', 'Left antecubital fossa', 'Right antecubital fossa'] as const;
export const SITES_SC = ['Left thigh', 'Right thigh'] as const;

/** Visit windows the coordinators book (start, end). */
export const WINDOWS = [
  ['08:30', '10:30'],
  ['09:00', '11:00'],
  ['10:30', '12:30'],
  ['12:00', '14:00'],
  ['13:30', '15:30'],
  ['15:00', '17:00'],
] as const;

/** Role display names, as the demo shows them. */
export const ROLE_NAMES: Record<string, string> = {
  'trust-nurse': 'Trust nurse',
  'trust-prescriber': 'Dr Trust prescriber',
  'trust-pharmacist': 'Trust pharmacist',
  'cancer-manager': 'Cancer manager',
  'provider-nurse': 'Home-care nurse',
  'provider-coordinator': 'Home-care coordinator',
  'provider-pharmacist': 'Home-care pharmacist',
  commissioner: 'Commissioner',
  'network-lead': 'Network lead',
  admin: 'Administrator',
};

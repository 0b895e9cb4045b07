// What each detected type is under the regimes: HIPAA Safe Harbor identifier (45 CFR
// 164.514(b)(2)(i), H1–H18), PCI DSS account data, GDPR personal data (Art. 4(1)) or a secret. From
// that, the data classes a text carries (the example policy's class names), which the gateway
// uses to decide where the text may go.
import type { EntityType, Span } from './types.js';

export interface Category {
  /** HIPAA Safe Harbor identifier number, when the type is one. */
  hipaa?: number;
  /** PCI DSS: primary account number, sensitive authentication data, or other account data. */
  pci?: 'pan' | 'sad' | 'account-data';
  /** Identifies a natural person directly or indirectly (GDPR Art. 4(1)). */
  gdpr: boolean;
  secret?: boolean;
}

export const CATEGORIES: Record<EntityType, Category> = {
  PERSON: { hipaa: 1, gdpr: true },
  STREET_ADDRESS: { hipaa: 2, gdpr: true },
  ZIP: { hipaa: 2, gdpr: true },
  LOCATION: { hipaa: 2, gdpr: true },
  DATE: { hipaa: 3, gdpr: true },
  DATE_OF_BIRTH: { hipaa: 3, gdpr: true },
  AGE: { hipaa: 3, gdpr: true },
  PHONE: { hipaa: 4, gdpr: true },
  EMAIL: { hipaa: 6, gdpr: true },
  US_SSN: { hipaa: 7, gdpr: true },
  MEDICAL_RECORD: { hipaa: 8, gdpr: true },
  HEALTH_PLAN: { hipaa: 9, gdpr: true },
  ACCOUNT_NUMBER: { hipaa: 10, gdpr: true },
  BANK_ACCOUNT: { hipaa: 10, pci: 'account-data', gdpr: true },
  IBAN: { hipaa: 10, gdpr: true },
  ABA_ROUTING: { gdpr: false },
  CREDIT_CARD: { hipaa: 10, pci: 'pan', gdpr: true },
  CVV: { pci: 'sad', gdpr: true },
  CARD_EXPIRY: { pci: 'account-data', gdpr: true },
  US_DRIVER_LICENSE: { hipaa: 11, gdpr: true },
  US_PASSPORT: { hipaa: 18, gdpr: true },
  NPI: { hipaa: 11, gdpr: true },
  DEA: { hipaa: 11, gdpr: true },
  VIN: { hipaa: 12, gdpr: true },
  DEVICE_ID: { hipaa: 13, gdpr: true },
  MAC_ADDRESS: { hipaa: 13, gdpr: true },
  URL: { hipaa: 14, gdpr: true },
  IP_ADDRESS: { hipaa: 15, gdpr: true },
  US_ITIN: { hipaa: 18, gdpr: true },
  CRYPTO_WALLET: { hipaa: 18, gdpr: true },
  ORGANIZATION: { gdpr: false },
  SECRET: { gdpr: false, secret: true },
};

/**
 * The data classes a text carries, by what was found in it: cardholder data when a card number or
 * authentication data is present, ePHI when health identifiers are (a medical record, health plan,
 * NPI or DEA number: the context that makes the other identifiers PHI), personal data otherwise.
 */
export function dataClassesOf(spans: readonly Pick<Span, 'type'>[]): string[] {
  const classes = new Set<string>();
  for (const s of spans) {
    const c = CATEGORIES[s.type];
    if (c.pci === 'pan' || c.pci === 'sad') classes.add('cardholder_data');
    if (s.type === 'MEDICAL_RECORD' || s.type === 'HEALTH_PLAN' || s.type === 'NPI' || s.type === 'DEA') classes.add('ephi');
    if (c.gdpr) classes.add('personal_data');
  }
  return [...classes].sort();
}

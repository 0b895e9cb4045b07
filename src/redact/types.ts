// The contract between detectors, operators and callers of the redaction engine. Detection is
// pure: text in, spans out (offsets into the original string, UTF-16 code units, end exclusive).

export const ENTITY_TYPES = [
  // direct identifiers
  'EMAIL',
  'PHONE',
  'CREDIT_CARD',
  'CVV',
  'CARD_EXPIRY',
  'IBAN',
  'BANK_ACCOUNT',
  'ABA_ROUTING',
  'US_SSN',
  'US_ITIN',
  'IP_ADDRESS',
  'MAC_ADDRESS',
  'URL',
  'US_PASSPORT',
  'US_DRIVER_LICENSE',
  'NPI',
  'DEA',
  'MEDICAL_RECORD',
  'HEALTH_PLAN',
  'ACCOUNT_NUMBER',
  'VIN',
  'DEVICE_ID',
  'SECRET',
  'CRYPTO_WALLET',
  // quasi-identifiers and free text
  'DATE',
  'DATE_OF_BIRTH',
  'AGE',
  'PERSON',
  'STREET_ADDRESS',
  'ZIP',
  'LOCATION',
  'ORGANIZATION',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface Span {
  start: number;
  end: number;
  type: EntityType;
  /** 0..1: 1 for checksum-validated matches, lower for pattern-only or context-dependent ones. */
  score: number;
  /** What confirmed it: `luhn`, `mod97`, `aba-checksum`, `npi-luhn`, `dea-checksum`, `libphonenumber`, `context`, `pattern`, `dictionary`, … */
  validator: string;
}

/** A detector finds spans of one or more types; it never modifies the text. */
export interface Detector {
  name: string;
  types: readonly EntityType[];
  detect(text: string): Span[];
}

import { describe, expect, it } from 'vitest';
import {
  abaValid,
  bech32Valid,
  bitcoinBase58Valid,
  deaValid,
  ibanValid,
  imeiValid,
  itinValid,
  luhn,
  npiValid,
  shannonEntropy,
  ssnValid,
  vinCheckDigit,
} from './validators.js';

const cases: [string, (v: string) => boolean, string[], string[]][] = [
  // Test PANs published by the card networks' sandboxes.
  ['luhn', luhn, ['4111111111111111', '378282246310005', '5555555555554444', '2223003122003222', '6011111111111117', '3530111333300000', '30569309025904', '6200000000000005'], ['4111111111111112', '', '41111111111x1111', '378282246310006']],
  ['ibanValid', ibanValid, ['GB82WEST12345698765432', 'DE89370400440532013000', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'gb82west12345698765432'], ['GB82WEST12345698765433', 'DE8937040044053201300', 'XX82WEST12345698765432', 'GB82WEST1234569876543']],
  ['abaValid', abaValid, ['011000015', '021000021', '026009593'], ['123456789', '021000022', '99100001', '911000015']],
  ['npiValid', npiValid, ['1234567893', '1245319599'], ['1234567890', '3234567893', '123456789']],
  ['deaValid', deaValid, ['AB1234563', 'BJ6125341', 'ab1234563'], ['AB1234564', 'QB1234563', 'A11234563']],
  ['vinCheckDigit', vinCheckDigit, ['1HGCM82633A004352', '1M8GDM9AXKP042788', '11111111111111111'], ['1HGCM82633A004353', 'WVWZZZ1JZXW000001', '1HGCM82633A00435', 'IHGCM82633A004352']],
  ['imeiValid', imeiValid, ['490154203237518', '356938035643809'], ['490154203237519', '49015420323751']],
  ['bitcoinBase58Valid', bitcoinBase58Valid, ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'], ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', '1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a', '']],
  ['bech32Valid', (v) => bech32Valid(v, 'bc'), ['bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0'], ['bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr', 'tb1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq']],
  ['ssnValid', ssnValid, ['536904399', '460899847'], ['000123456', '666123456', '912701234', '123004567', '123450000', '078051120', '111111111', '12345678']],
  ['itinValid', itinValid, ['912701234', '900501234', '999991234'], ['912401234', '900931234', '812701234']],
];

describe('validators', () => {
  for (const [name, fn, valid, invalid] of cases) {
    it(`${name} accepts known-valid values`, () => {
      for (const v of valid) expect(fn(v), v).toBe(true);
    });
    it(`${name} rejects known-invalid values`, () => {
      for (const v of invalid) expect(fn(v), v).toBe(false);
    });
  }

  it('shannonEntropy tells random tokens from words', () => {
    expect(shannonEntropy('aaaaaaaaaaaaaaaaaaaa')).toBe(0);
    expect(shannonEntropy('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBeGreaterThan(4);
    expect(shannonEntropy('passwordpassword')).toBeLessThan(3);
  });
});

// The F_* bits of the shared pass (text-facts.ts), in a module of their own so that the tokenizer,
// which sets them while it reads the text, and the detectors, which test them, both import them
// without an import cycle.

/** A digit run of exactly 4 digits starting 19 or 20 (ISO dates, years after a context word). */
export const F_YEAR4 = 1 << 0;
/** A run of at most 2 digits followed by [/.-], optionally after one space (numeric dates, expiry). */
export const F_SHORT_SEP = 1 << 1;
/** A run of at most 3 digits followed by y, Y, M or F, optionally after one space or hyphen (ages). */
export const F_AGE_SUFFIX = 1 << 2;
/** ASCII letters directly followed by two or more digits (IBAN heads). */
export const F_LETTERS_DIGITS = 1 << 3;
/** digits '.' digits, with nothing between (IPv4). */
export const F_NUM_DOT_NUM = 1 << 4;
/** A run of exactly 9 digits (ABA routing numbers). */
export const F_RUN9 = 1 << 5;
/** A run of exactly 10 digits (NPI). */
export const F_RUN10 = 1 << 6;
/** Letters and digits with nothing between over 26 or more characters (base58 wallets). */
export const F_LONG_ALNUM = 1 << 7;
/** A word ending in "bc" directly followed by digits starting with 1 (bech32 wallets). */
export const F_BECH32 = 1 << 8;

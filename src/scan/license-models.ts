// Model licences that have no SPDX identifier, keyed by the identifier Hugging Face model cards use
// (`license:` in the card metadata, https://huggingface.co/docs/hub/repositories-licenses), plus
// the `license_name` spellings seen for licences the Hub lists only as `other`. Each becomes a
// `LicenseRef-` id so it can sit in an SPDX expression and in allow/deny lists.
// The attributes are a summary for approvers, not legal advice: read the licence text.

export interface ModelLicense {
  /** SPDX-compatible id, `LicenseRef-…` (letters, digits, `.` and `-` only). */
  id: string;
  name: string;
  /** `restricted`: allowed with conditions (user caps, separate agreement above a threshold). */
  commercialUse: 'yes' | 'no' | 'restricted';
  /** Carries an acceptable-use policy or RAIL-style use restrictions that bind downstream users. */
  useRestrictions: boolean;
  /** Requires a notice, attribution line or naming rule in derived works. */
  attribution: boolean;
  note: string;
}

const L = (id: string, name: string, commercialUse: ModelLicense['commercialUse'], useRestrictions: boolean, attribution: boolean, note: string): ModelLicense => ({
  id: `LicenseRef-${id}`,
  name,
  commercialUse,
  useRestrictions,
  attribution,
  note,
});

const LLAMA_NOTE = 'separate licence from Meta needed above 700 million monthly active users; acceptable use policy applies';

const TABLE: Record<string, ModelLicense> = {
  llama2: L('llama2', 'Llama 2 Community License', 'restricted', true, true, `${LLAMA_NOTE}; may not be used to improve other LLMs`),
  llama3: L('llama3', 'Meta Llama 3 Community License', 'restricted', true, true, `${LLAMA_NOTE}; "Built with Meta Llama 3" and "Llama 3" name prefix for derivatives`),
  'llama3.1': L('llama3.1', 'Llama 3.1 Community License', 'restricted', true, true, `${LLAMA_NOTE}; "Built with Llama" and "Llama" name prefix for derivatives`),
  'llama3.2': L('llama3.2', 'Llama 3.2 Community License', 'restricted', true, true, `${LLAMA_NOTE}; multimodal models not licensed to EU-domiciled entities`),
  'llama3.3': L('llama3.3', 'Llama 3.3 Community License', 'restricted', true, true, `${LLAMA_NOTE}; "Built with Llama" attribution`),
  llama4: L('llama4', 'Llama 4 Community License', 'restricted', true, true, `${LLAMA_NOTE}; multimodal models not licensed to EU-domiciled entities`),
  gemma: L('gemma', 'Gemma Terms of Use', 'yes', true, true, 'prohibited use policy applies and must be passed on to users of derivatives'),
  openrail: L('openrail', 'OpenRAIL license family', 'yes', true, true, 'RAIL use restrictions must be passed on downstream'),
  'openrail++': L('openrail-plus-plus', 'CreativeML Open RAIL++-M', 'yes', true, true, 'RAIL use restrictions must be passed on downstream'),
  'bigscience-openrail-m': L('bigscience-openrail-m', 'BigScience OpenRAIL-M', 'yes', true, true, 'RAIL use restrictions (Attachment A) must be passed on downstream'),
  'creativeml-openrail-m': L('creativeml-openrail-m', 'CreativeML OpenRAIL-M', 'yes', true, true, 'RAIL use restrictions must be passed on downstream'),
  'bigcode-openrail-m': L('bigcode-openrail-m', 'BigCode Open RAIL-M v1', 'yes', true, true, 'RAIL use restrictions must be passed on downstream'),
  'bigscience-bloom-rail-1.0': L('bigscience-bloom-rail-1.0', 'BigScience BLOOM RAIL 1.0', 'yes', true, true, 'RAIL use restrictions must be passed on downstream'),
  'deepfloyd-if-license': L('deepfloyd-if-license', 'DeepFloyd IF License', 'no', true, true, 'research use only'),
  'fair-noncommercial-research-license': L('fair-noncommercial-research-license', 'FAIR Noncommercial Research License', 'no', true, true, 'non-commercial research use only'),
  deepseek: L('deepseek', 'DeepSeek License Agreement', 'yes', true, true, 'use-based restrictions (Attachment A) must be passed on downstream'),
  qwen: L('qwen', 'Qwen License Agreement', 'restricted', true, true, 'separate licence from Alibaba Cloud needed above 100 million monthly active users'),
  'qwen-research': L('qwen-research', 'Qwen Research License Agreement', 'no', true, true, 'non-commercial research use only'),
  'tongyi-qianwen': L('tongyi-qianwen', 'Tongyi Qianwen License Agreement', 'restricted', true, true, 'separate licence from Alibaba Cloud needed above 100 million monthly active users'),
  'apple-amlr': L('apple-amlr', 'Apple Machine Learning Research Model License', 'no', true, true, 'research use only, no commercial use'),
  'apple-ascl': L('apple-ascl', 'Apple Sample Code License', 'yes', false, true, 'keep the notice; no use of Apple trademarks'),
  'h-research': L('h-research', 'H Research License', 'no', false, true, 'research use only'),
  'intel-research': L('intel-research', 'Intel Research Use License', 'no', false, true, 'research use only'),
  'c-uda': L('c-uda', 'Computational Use of Data Agreement', 'yes', true, true, 'data may be used for computational analysis only'),
  'lgpl-lr': L('lgpl-lr', 'Lesser General Public License For Linguistic Resources', 'yes', false, true, 'copyleft for linguistic resources'),
  'openmdw-1.0': L('openmdw-1.0', 'OpenMDW License 1.0', 'yes', false, true, 'permissive model licence; keep the notice'),
  'etalab-2.0': L('etalab-2.0', 'Etalab Open License 2.0', 'yes', false, true, 'attribution required'),
};

/** Hub ids that name a family, not one licence: they cannot be checked and count as unknown. */
export const AMBIGUOUS_HUB_IDS = new Set(['other', 'unknown', 'cc', 'bsd', 'gpl', 'lgpl', 'gfdl', 'noassertion', 'none']);

/** Hub ids whose SPDX spelling differs by more than case. */
export const HUB_TO_SPDX: Readonly<Record<string, string>> = {
  'agpl-3.0': 'AGPL-3.0-only',
  'gpl-2.0': 'GPL-2.0-only',
  'gpl-3.0': 'GPL-3.0-only',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-3.0': 'LGPL-3.0-only',
  'cdla-sharing-1.0': 'CDLA-Sharing-1.0',
  'odc-by': 'ODC-By-1.0',
  odbl: 'ODbL-1.0',
  pddl: 'PDDL-1.0',
  'lppl-1.3c': 'LPPL-1.3c',
  'ofl-1.1': 'OFL-1.1',
};

const BY_ID = new Map(Object.values(TABLE).map((m) => [m.id.toLowerCase(), m]));

/** Looks up a Hub id (`llama3.1`) or its LicenseRef form (`LicenseRef-llama3.1`), any case. */
export function modelLicense(name: string): ModelLicense | undefined {
  const k = name.toLowerCase();
  return (Object.hasOwn(TABLE, k) ? TABLE[k] : undefined) ?? BY_ID.get(k) ?? BY_ID.get(`licenseref-${k}`);
}

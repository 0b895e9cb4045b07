// The policy file format. Two shapes from the seed text are accepted exactly as written:
//   regulated_ai_zone: { ingress, egress: { default, allowed_destinations }, workloads: { require_* } }
//   data_class_policy: { <class>: { allowed_zones, require_*, prohibit_external_llm_calls } }
// Every top-level key ending in `_zone` defines a zone of that name (usable directly and as a base
// for `extends`); `zones:` defines many. Everything else extends the seed without changing it.
import { z } from 'zod';
import { ROLES } from '../identity/roles.js';
import { checkLicense } from '../scan/license.js';

// Zones become Kubernetes object names when rendered ("_" turns into "-"), so no dots in them.
const ZoneName = z.string().min(1).max(50).regex(/^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/u, 'use lowercase letters, digits, "-" and "_", starting and ending with a letter or digit');
// Names of zones, classes, providers and rules: start and end with a letter or digit, so
// "__proto__" and friends are refused rather than silently lost when objects are built.
const Name = z.string().min(1).max(63).regex(/^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$/u, 'use lowercase letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
const NamespaceName = z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u, 'a Kubernetes namespace name (RFC 1123 label)');
const Host = z.string().min(1).max(253).regex(/^[A-Za-z0-9*]([A-Za-z0-9.:*/_-]*)$/u, 'a host name, host:port, CIDR or registry prefix');
const RuleMode = z.enum(['enforce', 'warn', 'audit']);

export const RULE_IDS = [
  'class-allowed-in-zone',
  'class-requires-private-ingress',
  'class-requires-redacted-logs',
  'class-requires-audit-logging',
  'class-requires-network-segmentation',
  'class-prohibits-external-llm-calls',
  'unknown-data-class',
  'image-registry-allowed',
  'image-digest-pinned',
  'runtime-identity',
  'no-host-access',
  'encrypted-volumes',
  'private-ingress-services',
  'gpu-node-pool',
  'llm-provider-allowed',
  'unknown-kind',
  'unknown-zone',
  'namespace-zone',
  'image-signature-unverified',
  'image-not-promoted',
] as const;
/** Rules a data class or the policy imposes: a zone cannot soften them. */
export const POLICY_LEVEL_RULES: ReadonlySet<string> = new Set(RULE_IDS.filter((r) => r.startsWith('class-') || r.startsWith('unknown-') || r === 'namespace-zone'));
/** Modes rules start in when the policy says nothing. */
export const DEFAULT_RULE_MODES: Partial<Record<(typeof RULE_IDS)[number], 'enforce' | 'warn' | 'audit'>> = {
  // Images that never went through the registry are recorded (not refused) in zones that require
  // signatures, until an owner sets the rule to enforce; registry artifacts are judged by
  // image-not-promoted, which enforces.
  'image-signature-unverified': 'audit',
};
export type RuleId = (typeof RULE_IDS)[number];
export type Mode = z.infer<typeof RuleMode>;

const RuleOverrides = z.partialRecord(z.enum(RULE_IDS), z.object({ mode: RuleMode }).strict());

const Toleration = z
  .object({
    key: z.string().max(253).optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: z.string().max(63).optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  })
  .strict();

export const ZoneSchema = z
  .object({
    // --- the seed's fields
    ingress: z.enum(['private_only', 'internal', 'public']).optional(),
    egress: z
      .object({
        default: z.enum(['deny', 'allow']),
        allowed_destinations: z.array(Host).max(500).optional(),
      })
      .strict()
      .optional(),
    workloads: z
      .object({
        require_signed_images: z.boolean().optional(),
        require_encrypted_volumes: z.boolean().optional(),
        require_runtime_identity: z.boolean().optional(),
        // extensions
        require_image_digest: z.boolean().optional(),
        forbid_host_access: z.boolean().optional(),
      })
      .strict()
      .optional(),
    // --- extensions
    extends: ZoneName.optional(),
    description: z.string().max(1000).optional(),
    region: z.string().max(64).optional(),
    jurisdiction: z.string().max(64).optional(),
    storage_classes: z.array(z.string().min(1).max(253)).max(100).optional(),
    registries: z.array(Host).max(100).optional(),
    gpu: z
      .object({
        node_selector: z.record(z.string().max(317), z.string().max(63)).optional(),
        tolerations: z.array(Toleration).max(20).optional(),
        /** Extended resources that mean "accelerator"; default covers NVIDIA (incl. MIG), AMD, Intel, Habana. */
        resources: z.array(z.string().max(253)).max(50).optional(),
      })
      .strict()
      .optional(),
    llm_providers: z.array(Name).max(100).optional(),
    /** private_only zones: Ingress objects are allowed only with one of these (internal) classes. */
    internal_ingress_classes: z.array(z.string().max(253)).max(20).optional(),
    logging: z
      .object({
        redacted_logs: z.boolean().optional(),
        audit_logging: z.boolean().optional(),
        /** Sensitive payload logs (prompts, responses, documents): off unless given; redacted, encrypted, kept this long, read only by these roles. */
        sensitive_payloads: z.object({ retention_days: z.number().int().min(1).max(3650), readers: z.array(z.enum(ROLES)).min(1).max(6) }).strict().optional(),
        /** Debug captures: off unless given; each expires within max_ttl_hours, read only by these roles. */
        debug: z.object({ max_ttl_hours: z.number().int().min(1).max(720), readers: z.array(z.enum(ROLES)).min(1).max(6) }).strict().optional(),
      })
      .strict()
      .optional(),
    retention: z
      .object({ logs_days: z.number().int().min(1).max(36500).optional(), audit_days: z.number().int().min(1).max(36500).optional(), data_days: z.number().int().min(1).max(36500).optional() })
      .strict()
      .optional(),
    namespaces: z.array(NamespaceName).max(1000).optional(),
    rules: RuleOverrides.optional(),
    /** What the registry may promote into this zone. */
    artifacts: z
      .object({
        /** Licence ids (SPDX or named model licences); deny wins, allow (when given) must be satisfied. */
        licenses: z
          .object({ allow: z.array(z.string().min(1).max(128)).max(200).optional(), deny: z.array(z.string().min(1).max(128)).max(200).optional() })
          .strict()
          .superRefine((v, ctx) => {
            // Entries must be licence ids the checker understands: a typo would silently allow.
            try {
              checkLicense('MIT', v);
            } catch (e) {
              ctx.addIssue({ code: 'custom', message: (e as Error).message });
            }
          })
          .optional(),
        /** Known advisories at or above this severity in an artifact's SBOM block promotion. */
        advisory_threshold: z.enum(['low', 'medium', 'high', 'critical']).optional(),
        /** Signer key ids (registry.trustedKeys ids) or identities whose signatures count here; default: any trusted. */
        trusted_signers: z.array(z.string().min(1).max(1024)).max(100).optional(),
        /** A verified SLSA provenance attestation from one of these builders (runDetails.builder.id). */
        provenance: z.object({ builders: z.array(z.string().min(1).max(2048)).min(1).max(100) }).strict().optional(),
        /** Longest an artifact may go between reviews in this zone, in days. */
        max_review_days: z.number().int().min(1).max(3650).optional(),
      })
      .strict()
      .optional(),
    /** Reversible tokens: redaction may replace values by tokens whose originals these roles can reveal, for this long. Off unless set. */
    reversible_tokens: z.object({ retention_days: z.number().int().min(1).max(3650), readers: z.array(z.enum(ROLES)).min(1).max(6) }).strict().optional(),
    /** What a change must show before it is deployed here (release management). */
    releases: z
      .object({
        /** Distinct approvers (never the author) a change needs; at least the server's default. */
        approvals_required: z.number().int().min(1).max(10).optional(),
        /** Days within which an emergency change deployed unapproved must be approved after the fact. */
        emergency_approval_days: z.number().int().min(1).max(90).optional(),
        /** Evaluation metrics a model change must report, each with a bound: failing one blocks deployment. */
        evaluation: z
          .record(
            z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/u, 'metric names are letters, digits, _ . -'),
            z
              .object({ min: z.number().optional(), max: z.number().optional() })
              .strict()
              .refine((b) => b.min !== undefined || b.max !== undefined, 'give min, max or both'),
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ZoneInput = z.infer<typeof ZoneSchema>;

export const DataClassSchema = z
  .object({
    allowed_zones: z.array(ZoneName).max(100),
    require_redacted_logs: z.boolean().optional(),
    require_private_ingress: z.boolean().optional(),
    require_audit_logging: z.boolean().optional(),
    require_network_segmentation: z.boolean().optional(),
    prohibit_external_llm_calls: z.boolean().optional(),
    // extensions
    description: z.string().max(1000).optional(),
    regimes: z.array(z.string().max(32)).max(20).optional(),
  })
  .strict();
export type DataClassInput = z.infer<typeof DataClassSchema>;

export const DestinationSchema = z
  .object({
    cidrs: z.array(z.string().max(64)).max(100).optional(),
    namespace: z.string().max(63).optional(),
    pod_labels: z.record(z.string().max(317), z.string().max(63)).optional(),
    ports: z.array(z.object({ port: z.number().int().min(1).max(65535), protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP') }).strict()).max(50).optional(),
  })
  .strict();

export const LlmProviderSchema = z
  .object({
    external: z.boolean(),
    endpoint: z.string().url('must be a URL such as https://api.example.com/v1').max(2048).optional(),
    description: z.string().max(1000).optional(),
  })
  .strict();

export const CustomRuleSchema = z
  .object({
    id: Name,
    description: z.string().max(1000).optional(),
    mode: RuleMode.default('enforce'),
    match: z
      .object({
        kinds: z.array(z.string().max(63)).max(50).optional(),
        zones: z.array(ZoneName).max(100).optional(),
        classes: z.array(Name).max(100).optional(),
      })
      .strict()
      .default({}),
    /** CEL; must evaluate to true for the object to pass. Variables: object, zone, classes, namespace. */
    expression: z.string().min(1).max(4096),
    message: z.string().min(1).max(1000),
    fix: z.string().max(1000).optional(),
  })
  .strict();
export type CustomRuleInput = z.infer<typeof CustomRuleSchema>;

export const AdmissionSettingsSchema = z
  .object({
    /** Zone for namespaces mapped to none. Unset: workloads there must carry no data class. */
    default_zone: z.string().max(63).optional(),
    /** What to do with a kind the webhook does not understand in a regulated zone. */
    unknown_kinds: z.enum(['deny', 'allow']).default('deny'),
    exempt_namespaces: z.array(z.string().max(63)).max(100).default(['kube-system', 'kube-public', 'kube-node-lease']),
    /** What the API server does when Evident cannot answer for an unregulated zone: Fail (closed) unless the owners accept Ignore. Regulated zones always fail closed. */
    unregulated_failure_policy: z.enum(['Fail', 'Ignore']).default('Fail'),
  })
  .strict();

const ZONE_KEY = /_zone$/u;

const SECTION_SCHEMAS = {
  zones: z.record(ZoneName, ZoneSchema),
  data_class_policy: z.record(Name, DataClassSchema),
  destinations: z.record(Host, DestinationSchema),
  llm_providers: z.record(Name, LlmProviderSchema),
  rules: RuleOverrides,
  custom_rules: z.array(CustomRuleSchema).max(200),
  admission: AdmissionSettingsSchema,
  namespaces: z.record(NamespaceName, ZoneName),
} as const;
const SECTIONS = Object.keys(SECTION_SCHEMAS);

/**
 * One policy file: the seed's top-level shapes plus the extension sections. Every section and
 * top-level zone is checked in one pass, so a file with several mistakes reports all of them.
 */
export const PolicyFileSchema = z
  .record(z.string(), z.unknown())
  .superRefine((v, ctx) => {
    for (const [key, value] of Object.entries(v)) {
      const schema = Object.hasOwn(SECTION_SCHEMAS, key) ? (SECTION_SCHEMAS as Record<string, z.ZodType>)[key] : ZONE_KEY.test(key) && ZoneName.safeParse(key).success ? ZoneSchema : undefined;
      if (!schema) {
        ctx.addIssue({ code: 'custom', path: [key], message: `unknown section; a zone at the top level is named <name>_zone, or use one of: ${SECTIONS.join(', ')}` });
        continue;
      }
      const r = schema.safeParse(value);
      if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as never);
    }
  })
  .transform((v): PolicyFileParsed => {
    // Runs even when the refinement above found problems (zod reports them; this value is then
    // discarded), so nothing here may throw.
    const parse = <K extends keyof typeof SECTION_SCHEMAS>(k: K) => {
      const r = k in v ? SECTION_SCHEMAS[k].safeParse(v[k]) : undefined;
      return r?.success ? (r.data as z.output<(typeof SECTION_SCHEMAS)[K]>) : undefined;
    };
    const topZones: Record<string, ZoneInput> = {};
    for (const [key, value] of Object.entries(v)) {
      if (SECTIONS.includes(key)) continue;
      const r = ZoneSchema.safeParse(value);
      if (r.success) topZones[key] = r.data;
    }
    const [zones, data_class_policy, destinations, llm_providers, rules, custom_rules, admission, namespaces] = [
      parse('zones'),
      parse('data_class_policy'),
      parse('destinations'),
      parse('llm_providers'),
      parse('rules'),
      parse('custom_rules'),
      parse('admission'),
      parse('namespaces'),
    ] as const;
    return {
      zones: { ...topZones, ...(zones ?? {}) },
      rootZones: Object.keys(topZones),
      ...(data_class_policy ? { data_class_policy } : {}),
      ...(destinations ? { destinations } : {}),
      ...(llm_providers ? { llm_providers } : {}),
      ...(rules ? { rules } : {}),
      ...(custom_rules ? { custom_rules } : {}),
      ...(admission ? { admission } : {}),
      ...(namespaces ? { namespaces } : {}),
    };
  });

export interface PolicyFileParsed {
  zones: Record<string, ZoneInput>;
  /** Zones defined at the top level (`<name>_zone:`), for error positions. */
  rootZones: string[];
  data_class_policy?: Record<string, DataClassInput>;
  destinations?: Record<string, z.infer<typeof DestinationSchema>>;
  llm_providers?: Record<string, z.infer<typeof LlmProviderSchema>>;
  rules?: z.infer<typeof RuleOverrides>;
  custom_rules?: CustomRuleInput[];
  admission?: z.infer<typeof AdmissionSettingsSchema>;
  namespaces?: Record<string, string>;
}

export type ModeOverrides = z.infer<typeof RuleOverrides>;

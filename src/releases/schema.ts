// Shapes of release management: components (what is change-managed), their versions with lineage,
// change requests and what they carry, deployments and the point-in-time answer.
import { z } from 'zod';
import { ArtifactNameSchema, DigestSchema } from '../registry/schema.js';

/** Everything that changes under control. A kind with a name is a component: `model/fraud-scorer`. */
export const COMPONENT_KINDS = ['model', 'prompt', 'feature-set', 'retrieval-index', 'serving-config', 'access-policy', 'evaluation-threshold', 'routing-rule', 'policy'] as const;
/** Evident's own policy is one component in every zone at once: its changes carry this zone. */
export const GLOBAL_ZONE = 'global';
/** A component in a zone, as kill switches name it: `model/fraud-scorer@pci-ai`. */
export const deploymentTarget = (kind: string, name: string, zone: string) => `${kind}/${name}@${zone}`;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

export const ComponentNameSchema = z.string().regex(/^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/u, 'component names are lowercase letters, digits, . _ - (at most 128)');
const ZoneName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/u, 'zone names are DNS labels');
const ClassName = z.string().min(1).max(63);
const MetricName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/u, 'metric names are letters, digits, _ . - (at most 64)');

/** Change request states. `deployed`, `rejected` and `withdrawn` are final. */
export const CHANGE_STATES = ['open', 'approved', 'deployed', 'rejected', 'withdrawn'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export const ArtifactRefSchema = z.object({ name: ArtifactNameSchema, digest: DigestSchema, role: z.string().min(1).max(64).optional().describe('weights, tokenizer, template…') }).strict();
export const DataRefSchema = z.object({ name: z.string().min(1).max(200), digest: DigestSchema }).strict();

export const LineageSchema = z
  .object({
    trainingData: z.array(DataRefSchema).max(100).optional().describe('data snapshots it was trained on (asset name + content digest)'),
    features: z.object({ name: ComponentNameSchema, version: z.number().int().positive() }).strict().optional().describe('the feature-set component version it was trained with'),
    code: z.object({ repository: z.string().min(1).max(500), commit: z.string().regex(/^[0-9a-f]{7,64}$/u, 'a commit is 7-64 lowercase hex') }).strict().optional(),
    trainingRun: z.string().min(1).max(200).optional(),
    baseModel: ArtifactRefSchema.optional().describe('the registry artifact it was fine-tuned from'),
    evaluationDatasets: z.array(DataRefSchema).max(100).optional(),
  })
  .strict();

const boundedObject = (what: string, kib: number) =>
  z.record(z.string(), z.unknown()).refine((v) => JSON.stringify(v).length <= kib * 1024, `${what} is larger than ${kib} KiB`);

/**
 * A model card as structured metadata: the fields an auditor and the EU AI Act's technical
 * documentation (Annex IV) ask for are typed; anything else a team records is kept as given.
 */
export const ModelCardSchema = z
  .object({
    intendedUse: z.string().max(4000).optional(),
    outOfScopeUse: z.string().max(4000).optional(),
    limitations: z.string().max(4000).optional(),
    owners: z.array(z.string().min(1).max(200)).max(20).optional(),
    /** EU AI Act risk class of the system the model serves. */
    riskTier: z.enum(['minimal', 'limited', 'high', 'unacceptable']).optional(),
    humanOversight: z.string().max(4000).optional(),
    trainingDataSummary: z.string().max(4000).optional(),
    evaluationSummary: z.string().max(4000).optional(),
    fairness: z.string().max(4000).optional(),
    contact: z.string().max(200).optional(),
  })
  .catchall(z.unknown())
  .refine((v) => JSON.stringify(v).length <= 64 * 1024, 'card is larger than 64 KiB');

/** A version's content. Its RFC 8785 digest identifies it. */
export const VersionSpecSchema = z
  .object({
    description: z.string().max(2000).optional(),
    dataClasses: z.array(ClassName).max(50).default([]).describe('data classes it touches: decides where it may be deployed'),
    artifacts: z.array(ArtifactRefSchema).max(50).default([]).describe('registry artifacts it consists of (weights, tokenizer, prompt template…)'),
    lineage: LineageSchema.optional(),
    card: ModelCardSchema.optional().describe('model card: intended use, limitations, owners, risk tier…'),
    config: boundedObject('config', 512).optional().describe('serving config, routing rule, thresholds, index settings; for Evident policy: { files: [{ name, text }] }'),
  })
  .strict();
export type VersionSpec = z.infer<typeof VersionSpecSchema>;

export const ThresholdsSchema = z.record(MetricName, z.object({ min: z.number().optional(), max: z.number().optional() }).strict());

export const CreateChangeSchema = z
  .object({
    kind: z.enum(COMPONENT_KINDS),
    name: ComponentNameSchema,
    zone: ZoneName.optional().describe('where it is to be deployed; omitted for Evident policy changes, which apply everywhere'),
    title: z.string().min(1).max(200),
    spec: VersionSpecSchema,
    emergency: z.boolean().optional().describe('deployable before approval; approval is then due within the zone\'s emergency_approval_days'),
    reason: z.string().min(1).max(2000).optional().describe('why (required for emergencies)'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'policy' && v.zone !== undefined && v.zone !== GLOBAL_ZONE) ctx.addIssue({ code: 'custom', path: ['zone'], message: 'an Evident policy change applies to every zone: leave zone out' });
    if (v.kind !== 'policy' && v.zone === undefined) ctx.addIssue({ code: 'custom', path: ['zone'], message: 'name the zone the change is for' });
  });
export type CreateChange = z.input<typeof CreateChangeSchema>;

export const UpdateChangeSchema = z
  .object({
    spec: VersionSpecSchema.optional(),
    title: z.string().min(1).max(200).optional(),
    rebase: z.boolean().optional().describe('take the version active in the zone now as the base (approvals start over)'),
    revision: z.number().int().positive().optional().describe('the revision you edited; refused if it changed since'),
  })
  .strict();

export const EvaluationSchema = z
  .object({
    metrics: z.record(MetricName, z.number().finite()).refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 100, 'give 1-100 metrics'),
    dataset: DataRefSchema.optional().describe('the evaluation dataset snapshot'),
    reportDigest: DigestSchema.optional().describe('digest of the full evaluation report'),
    revision: z.number().int().positive().optional(),
  })
  .strict();

export const DecisionBodySchema = z.object({ note: z.string().max(2000).optional(), revision: z.number().int().positive().optional().describe('the revision you reviewed; refused if the change was edited since') }).strict();
export const ReasonBodySchema = z.object({ reason: z.string().min(1).max(2000) }).strict();
export const RollbackSchema = z.object({ kind: z.enum(COMPONENT_KINDS), name: ComponentNameSchema, zone: ZoneName, reason: z.string().min(1).max(2000) }).strict();

export const CheckSchema = z.object({ step: z.enum(['schema', 'placement', 'artifacts', 'evaluation', 'approval', 'base', 'state', 'kill-switch']), ok: z.boolean(), detail: z.string() });
export type Check = z.infer<typeof CheckSchema>;

export const EvaluationResultSchema = z.object({
  metrics: z.record(z.string(), z.number()),
  dataset: DataRefSchema.optional(),
  reportDigest: z.string().optional(),
  passed: z.boolean(),
  results: z.array(z.object({ metric: z.string(), value: z.number().nullable(), min: z.number().optional(), max: z.number().optional(), ok: z.boolean(), source: z.string() })),
  submittedBy: z.string(),
  submittedAt: z.string(),
});
export type EvaluationResult = z.infer<typeof EvaluationResultSchema>;

export const VersionRefSchema = z.object({ id: z.string(), version: z.number().int(), digest: z.string() });

export const ChangeSchema = z.object({
  id: z.string(),
  component: z.object({ id: z.string(), kind: z.enum(COMPONENT_KINDS), name: z.string() }),
  zone: z.string(),
  title: z.string(),
  state: z.enum(CHANGE_STATES),
  revision: z.number().int(),
  version: VersionRefSchema,
  base: VersionRefSchema.nullable(),
  emergency: z.boolean(),
  reason: z.string().nullable(),
  author: z.string(),
  validation: z.array(CheckSchema),
  evaluation: EvaluationResultSchema.nullable(),
  approvals: z.array(z.object({ principalId: z.string(), revision: z.number().int(), decidedAt: z.string(), note: z.string().nullable(), current: z.boolean() })),
  approvalsRequired: z.number().int(),
  approvalDueAt: z.string().nullable(),
  overdue: z.boolean().describe('an emergency change deployed and still unapproved past its due date'),
  blockers: z.array(CheckSchema).describe('what stands between this change and deployment now; empty when it can be deployed'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Change = z.infer<typeof ChangeSchema>;

export const DeploymentSchema = z.object({
  id: z.string(),
  component: z.object({ kind: z.string(), name: z.string() }),
  zone: z.string(),
  action: z.enum(['deploy', 'rollback']),
  version: VersionRefSchema,
  previous: VersionRefSchema.nullable(),
  changeId: z.string().nullable(),
  reason: z.string().nullable(),
  deployedBy: z.string(),
  deployedAt: z.string(),
  policyVersion: z.number().int(),
  manifestDigest: z.string().describe('sha256 of the signed release manifest (DSSE envelope)'),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const ChangeListQuerySchema = z
  .object({
    state: z.enum(CHANGE_STATES).optional(),
    kind: z.enum(COMPONENT_KINDS).optional(),
    name: ComponentNameSchema.optional(),
    zone: ZoneName.optional(),
    pendingApproval: z.enum(['true', 'false']).optional().describe('changes (emergency ones included) still short of approvals'),
    overdue: z.enum(['true', 'false']).optional(),
  })
  .strict();

export const ActiveQuerySchema = z
  .object({
    kind: z.enum(COMPONENT_KINDS).default('model'),
    name: ComponentNameSchema,
    zone: ZoneName.default(GLOBAL_ZONE),
    at: z.iso.datetime({ offset: true }).optional().describe('the instant asked about (default: now)'),
  })
  .strict();

export const IdParamsSchema = z.object({ id: z.string().uuid('change ids are UUIDs') }).strict();
export const ComponentParamsSchema = z.object({ kind: z.enum(COMPONENT_KINDS), name: ComponentNameSchema }).strict();

import { readFile } from 'node:fs/promises';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Service } from 'kubernetes-models/v1/Service';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { prometheusText } from '../gateway/prometheusText.ts';
import { createRuntime } from '../runtime/index.ts';

const root = new URL('../', import.meta.url);
const FILES = ['deployment.yaml', 'service.yaml', 'hpa.yaml'];
const load = async (name: string): Promise<Record<string, unknown>> =>
  parse(await readFile(new URL(`deploy/k8s/${name}`, root), 'utf8')) as Record<string, unknown>;

/** kubernetes-models ships the Kubernetes API's OpenAPI (JSON Schema) definitions compiled to validators. */
const MODELS = { Deployment, Service, HorizontalPodAutoscaler } as const;
function validate(doc: Record<string, unknown>): void {
  const Model = MODELS[doc.kind as keyof typeof MODELS];
  if (Model === undefined) throw new Error(`no schema for kind ${String(doc.kind)}`);
  new Model(doc as never).validate();
}

interface Container {
  securityContext: {
    allowPrivilegeEscalation: boolean;
    readOnlyRootFilesystem: boolean;
    capabilities: { drop: string[] };
  };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  env: Array<{ name: string; value?: string }>;
}
interface PodSpec {
  securityContext: { runAsNonRoot: boolean };
  terminationGracePeriodSeconds: number;
  containers: Container[];
}

describe('deploy/k8s manifests', () => {
  it('k8s - the Deployment, Service and HorizontalPodAutoscaler are valid against the Kubernetes API schemas', async () => {
    for (const name of FILES) {
      const doc = await load(name);
      expect(() => validate(doc), name).not.toThrow();
    }
  });

  it('k8s - the schemas reject a broken manifest, so the check above means something', async () => {
    const broken = structuredClone(await load('deployment.yaml')) as {
      spec: {
        replicas: unknown;
        template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } };
      };
    };
    broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'http';
    expect(() => validate(broken as never)).toThrow(/containerPort/);
    const hpa = (await load('hpa.yaml')) as { spec: Record<string, unknown> };
    expect(() => validate({ ...hpa, spec: { ...hpa.spec, maxReplicas: 'many' } })).toThrow(/maxReplicas/);
  });

  it('k8s - pods run as in seed 002 (non-root, read-only root, no capabilities, probes, resources) and placed', async () => {
    const pod = ((await load('deployment.yaml')) as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
    const c = pod.containers[0]!;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
    expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect(c.env.find((e) => e.name === 'MANDATE_PLACEMENT')?.value).toBe('on');
    // A drained pod hands its agents over (each handover waits up to 30 s for a phase) before it is killed.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(30);
  });

  it('k8s - the autoscaler scales on metrics the gateway exports', async () => {
    const hpa = (await load('hpa.yaml')) as {
      spec: {
        metrics: Array<{
          type: string;
          pods?: { metric: { name: string; selector: { matchLabels: Record<string, string> } } };
        }>;
      };
    };
    const runtime = await createRuntime();
    const text = prometheusText(runtime.metrics(), { liveClients: 0 });
    await runtime.shutdown();
    const pods = hpa.spec.metrics.filter((m) => m.type === 'Pods');
    expect(pods.length).toBeGreaterThan(0);
    for (const m of pods) {
      const { name, selector } = m.pods!.metric;
      const labels = Object.entries(selector.matchLabels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      expect(text).toContain(`${name}{${labels}} `);
    }
  });
});

/**
 * Gives gpu.js a `navigator.gpu` backed by Dawn (the `webgpu` npm package's native addon).
 * Backends are tried in order: Vulkan finds a real GPU; OpenGL ES / OpenGL with
 * EGL_PLATFORM=surfaceless find Mesa's software rasteriser (llvmpipe) on a GPU-less machine,
 * which only offers a `featureLevel: 'compatibility'` adapter.
 */

/** The slice of Dawn's GPU object this file uses (typed loosely: the addon ships no CJS types). */
interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null>;
  wgslLanguageFeatures?: unknown;
}
interface DawnAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface DawnAddon {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

export interface AdapterChoice {
  backend: string;
  /** Human-readable adapter name, e.g. "opengles: llvmpipe (LLVM 15.0.6, 256 bits)". */
  adapter: string;
}

function describe(backend: string, adapter: DawnAdapter): string {
  const info = adapter.info ?? {};
  const parts = [info.description, info.device, info.vendor, info.architecture].filter((s) => !!s);
  return `${backend}: ${parts.length > 0 ? parts.join(', ') : 'unnamed adapter'}`;
}

/**
 * Finds the first backend in `backends` with an adapter and installs `globalThis.navigator.gpu`
 * so every `requestAdapter()` (gpu.js calls it without options) asks that backend with the
 * options that worked. Returns null with the reasons when none answers.
 */
export async function installNavigatorGpu(
  dawnPath: string,
  backends: string[],
): Promise<AdapterChoice | { failure: string }> {
  let dawn: DawnAddon;
  try {
    dawn = require(dawnPath) as DawnAddon;
  } catch (e) {
    return { failure: `cannot load Dawn from ${dawnPath}: ${(e as Error).message}` };
  }
  Object.assign(globalThis, dawn.globals);
  const tried: string[] = [];
  for (const backend of backends) {
    const gpu = dawn.create([`backend=${backend}`]);
    // core first (full WebGPU on real GPUs), then compatibility (what GL(ES) drivers offer)
    for (const featureLevel of ['core', 'compatibility']) {
      const options = { featureLevel, powerPreference: 'high-performance' };
      let adapter: DawnAdapter | null = null;
      try {
        adapter = await gpu.requestAdapter(options);
      } catch (e) {
        tried.push(`${backend}/${featureLevel}: ${(e as Error).message}`);
        continue;
      }
      if (!adapter) {
        tried.push(`${backend}/${featureLevel}: no adapter`);
        continue;
      }
      const shim = {
        requestAdapter: (o?: Record<string, unknown>) => gpu.requestAdapter({ ...o, ...options }),
        getPreferredCanvasFormat: () => 'rgba8unorm',
        wgslLanguageFeatures: gpu.wgslLanguageFeatures,
      };
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: shim }, configurable: true });
      return { backend, adapter: describe(backend, adapter) };
    }
  }
  return { failure: `no WebGPU adapter (tried ${tried.join('; ')})` };
}

/**
 * `navigator.gpu` for running gpu.js's WebGPU mode directly in this thread (the peer
 * measurement), from Dawn's native addon: Vulkan first, then OpenGL ES / OpenGL on Mesa
 * (software, `featureLevel: 'compatibility'`). metagrad's own GPU backend does the same inside
 * its worker thread.
 */
import { dirname, join } from 'node:path';
import { checkGpuDevice } from './gpu-device-check';

interface DawnGpu {
  requestAdapter(o?: object): Promise<{ info?: { description?: string; device?: string } } | null>;
  wgslLanguageFeatures?: unknown;
}

/** Installs navigator.gpu; returns a description of the adapter, or null when there is none. */
export async function installWebGpuNavigator(): Promise<string | null> {
  if (process.platform === 'linux' && !process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const root = dirname(require.resolve('webgpu/package.json'));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const dawn = require(join(root, 'dist', `${process.platform}-${arch}.dawn.node`)) as {
    create(flags: string[]): DawnGpu;
    globals: object;
  };
  Object.assign(globalThis, dawn.globals);
  // Vulkan only with a loader: otherwise Dawn just prints a warning
  const fallback = checkGpuDevice().vulkanLoader ? 'vulkan,opengles,opengl' : 'opengles,opengl';
  const backends = (process.env.METAGRAD_DAWN_BACKENDS ?? fallback).split(',');
  for (const backend of backends) {
    const gpu = dawn.create([`backend=${backend.trim()}`]);
    for (const featureLevel of ['core', 'compatibility']) {
      const options = { featureLevel, powerPreference: 'high-performance' };
      const adapter = await gpu.requestAdapter(options).catch(() => null);
      if (!adapter) continue;
      const shim = {
        requestAdapter: (o?: object) => gpu.requestAdapter({ ...o, ...options }),
        getPreferredCanvasFormat: () => 'rgba8unorm',
        wgslLanguageFeatures: gpu.wgslLanguageFeatures,
      };
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: shim }, configurable: true });
      return `${backend}: ${adapter.info?.description || adapter.info?.device || 'adapter'}`;
    }
  }
  return null;
}

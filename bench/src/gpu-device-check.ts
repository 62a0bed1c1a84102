/**
 * What GPU the machine offers, before any WebGPU adapter is requested: an NVIDIA device node,
 * a Vulkan loader and ICD (what Dawn's Vulkan backend needs), and Mesa's EGL/GLES (the software
 * fallback). The kernel suite prints this next to the adapter it got, so a run on a GPU machine
 * that silently ended up on llvmpipe says why. Run alone: `node dist/gpu-device-check.js`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

export interface GpuDeviceCheck {
  nvidiaDevice: boolean;
  nvidiaSmi: string | null;
  vulkanLoader: boolean;
  vulkanIcds: string[];
  mesaEgl: boolean;
  hints: string[];
}

const LIB_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/lib/x86_64-linux-gnu',
  '/usr/local/lib',
];
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function hasLib(name: string): boolean {
  return LIB_DIRS.some((d) => existsSync(`${d}/${name}`));
}

function nvidiaSmi(): string | null {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], {
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.toString().trim() || null;
  } catch {
    return null;
  }
}

export function checkGpuDevice(): GpuDeviceCheck {
  const nvidiaDevice = existsSync('/dev/nvidia0');
  const vulkanLoader = hasLib('libvulkan.so.1');
  const vulkanIcds = ICD_DIRS.filter((d) => existsSync(d)).flatMap((d) =>
    readdirSync(d).map((f) => `${d}/${f}`),
  );
  const mesaEgl = hasLib('libEGL_mesa.so.0');
  const hints: string[] = [];
  if (nvidiaDevice && !vulkanLoader)
    hints.push('NVIDIA device present but no Vulkan loader: apt-get install libvulkan1');
  if (nvidiaDevice && !vulkanIcds.some((p) => p.includes('nvidia'))) {
    hints.push(
      'no NVIDIA Vulkan ICD (nvidia_icd.json): install the driver’s Vulkan component (e.g. libnvidia-gl-<ver>)',
    );
  }
  if (!nvidiaDevice && !mesaEgl)
    hints.push('no GPU and no Mesa EGL: run .ci/install-gpu-deps.sh for the software adapter');
  return {
    nvidiaDevice,
    nvidiaSmi: nvidiaDevice ? nvidiaSmi() : null,
    vulkanLoader,
    vulkanIcds,
    mesaEgl,
    hints,
  };
}

/** One line for reports. */
export function describeGpuDevice(c: GpuDeviceCheck): string {
  const gpu = c.nvidiaDevice ? `NVIDIA ${c.nvidiaSmi ?? '(nvidia-smi unavailable)'}` : 'no NVIDIA device';
  const vk = c.vulkanLoader
    ? `Vulkan loader, ICDs: ${c.vulkanIcds.length > 0 ? c.vulkanIcds.join(', ') : 'none'}`
    : 'no Vulkan loader';
  const hints = c.hints.length > 0 ? ` — ${c.hints.join('; ')}` : '';
  return `${gpu}; ${vk}; Mesa EGL ${c.mesaEgl ? 'present' : 'absent'}${hints}`;
}

if (require.main === module) {
  const c = checkGpuDevice();
  console.log(describeGpuDevice(c));
  console.log(JSON.stringify(c, null, 2));
}

/**
 * Reading a pairing QR code with the camera, where the browser has a barcode detector
 * (`BarcodeDetector`: Chromium on Android and ChromeOS, Safari 17+ on some systems). Elsewhere the
 * app asks the person to paste the code instead.
 */
interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = (new (options: { formats: string[] }) => Detector) & { getSupportedFormats?(): Promise<string[]> };

const detectorClass = () => (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;

/** Whether this browser can scan QR codes with a camera (a detector, and a camera API). */
export function canScan(): boolean {
  return detectorClass() !== undefined && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/**
 * Shows the camera in `video` until a QR code that `accept` takes is seen (its text) or `signal`
 * aborts (undefined). The camera stops either way. Rejects when the camera cannot start.
 */
export async function scanQr(video: HTMLVideoElement, accept: (text: string) => boolean, signal: AbortSignal): Promise<string | undefined> {
  const Detector = detectorClass();
  if (!Detector) throw new Error('This browser cannot read QR codes');
  const formats = (await Detector.getSupportedFormats?.()) ?? ['qr_code'];
  if (!formats.includes('qr_code')) throw new Error('This browser cannot read QR codes');
  const detector = new Detector({ formats: ['qr_code'] });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  try {
    video.srcObject = stream;
    await video.play();
    while (!signal.aborted) {
      const found = await detector.detect(video).catch(() => []);
      const text = found.map((code) => code.rawValue).find(accept);
      if (text) return text;
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    return undefined;
  } finally {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  }
}

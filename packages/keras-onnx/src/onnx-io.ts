/** ONNX protobuf (de)serialisation through onnx-proto's generated protobufjs classes. */
import { onnx } from 'onnx-proto';
import { KerasOnnxError } from './errors';

export { onnx };

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  const err = onnx.ModelProto.verify(model);
  if (err) throw new KerasOnnxError(`invalid ONNX model: ${err}`);
  return onnx.ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new KerasOnnxError(`not an ONNX model: ${(e as Error).message}`);
  }
}

// Sources and sinks. Each is a descriptor the graph records (kind, boundedness, params);
// the reading and writing side comes with the runners.
export { text, type TextWriteOptions } from "./text.js";
export { memory, type MemorySource, type MemoryCreateOptions } from "./memory.js";
export { testStream, TestStreamBuilder, type TestStreamEvent, type TestStreamSource } from "./test-stream.js";

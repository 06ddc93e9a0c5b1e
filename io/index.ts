// Sources and sinks. Each is a descriptor the graph records (kind, boundedness, params,
// schema) with the reading or writing side runners call (sdk/io.ts).
export { text, type TextWriteOptions } from "./text.js";
export { csv, type CsvReadOptions, type CsvWriteOptions } from "./csv.js";
export { json, type JsonWriteOptions } from "./json.js";
export { parquet, type ParquetWriteOptions } from "./parquet.js";
export { arrow, type ArrowWriteOptions } from "./arrow.js";
export { memory, type MemorySource, type MemoryCreateOptions } from "./memory.js";
export { testStream, TestStreamBuilder, type TestStreamEvent, type TestStreamSource } from "./test-stream.js";
export { blackhole } from "./blackhole.js";
export { generate, type GenerateEventsOptions, type GenerateEventsParams, type GeneratedEventsSource } from "./generate.js";
export {
  nexmark,
  JavaRandom,
  type NexmarkOptions,
  type NexmarkParams,
  type NexmarkSource,
  type NexmarkEvent,
  type Person,
  type Auction,
  type Bid,
  type EventColumns,
} from "./nexmark.js";
export { kafka, type KafkaClientOptions, type KafkaReadOptions, type KafkaRecordInfo, type KafkaWriteOptions } from "./kafka.js";

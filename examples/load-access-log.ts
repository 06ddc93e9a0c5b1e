// Loads a web server's access log (combined log format) into a Kafka topic: one record per
// request, the line unchanged as the value, the client address as the key (so one client's
// requests share a partition, in the file's order) and the request's own time as the record
// timestamp. realtime-uv.ts reads the topic back. Bounded: it runs on the local runner.
//
//   npx beamline run examples/load-access-log.ts --input=../shared/data/apache_access_log \
//     --brokers=localhost:9092 --topic=access-log
import { z } from "zod";
import { Pipeline } from "../sdk/index.js";
import { kafka, text } from "../io/index.js";
import { map } from "../transforms/index.js";
import { parseRequest } from "./access-log.js";

const Options = z.object({
  input: z.string().describe("access log file(s) in the combined log format (glob; .gz is decompressed)"),
  brokers: z.string().describe("bootstrap brokers, host:port[,host:port...]"),
  topic: z.string().describe("topic the requests are written to (it must exist)"),
});

/** A log line with what its record needs: the key and the timestamp. */
interface LogRecord {
  readonly line: string;
  readonly client: string;
  readonly at: number;
}

export default Pipeline.define("load-access-log", Options, (p, opts) =>
  p
    .read("ReadLog", text.lines(opts.input))
    .pipe(
      map((line: string): LogRecord => {
        const { client, at } = parseRequest(line);
        return { line, client, at };
      }, "Parse"),
    )
    .write(
      "WriteTopic",
      kafka.write<LogRecord>({
        brokers: opts.brokers,
        topic: opts.topic,
        key: (r) => r.client,
        serializer: (r) => r.line,
        timestamp: (r) => r.at,
      }),
    ),
);

import { describe, expect, it } from 'vitest';
import {
  capturedCsv,
  capturePartitionKey,
  decodeCaptureContent,
  encodeCaptureContent,
  formatCaptureLine,
  formatGroundTruthLine,
  mergeGroundTruth,
  parseCaptureLines,
  parseGroundTruthLines,
} from './capture-format.js';

describe('data capture format', () => {
  it('round-trips records in Model Monitor shape', () => {
    const line = formatCaptureLine({
      eventId: 'e-1',
      inferenceId: 'inf-1',
      inferenceTime: new Date('2022-02-14T17:25:49.123Z'),
      input: encodeCaptureContent('INPUT', 'text/csv', '1,2,3'),
      output: encodeCaptureContent('OUTPUT', 'text/csv; charset=utf-8', '0.0254'),
    });
    expect(JSON.parse(line)).toEqual({
      captureData: {
        endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '1,2,3', encoding: 'CSV' },
        endpointOutput: { observedContentType: 'text/csv; charset=utf-8', mode: 'OUTPUT', data: '0.0254', encoding: 'CSV' },
      },
      eventMetadata: { eventId: 'e-1', inferenceId: 'inf-1', inferenceTime: '2022-02-14T17:25:49Z' },
      eventVersion: '0',
    });
    const [rec] = parseCaptureLines(`${line}\n`);
    expect(rec!.eventMetadata.inferenceId).toBe('inf-1');
  });
  it('base64-encodes content types that are not listed as CSV or JSON', () => {
    const c = encodeCaptureContent('INPUT', 'application/x-npy', new Uint8Array([1, 2, 255]));
    expect(c.encoding).toBe('BASE64');
    expect(Array.from(decodeCaptureContent(c))).toEqual([1, 2, 255]);
    expect(encodeCaptureContent('INPUT', 'application/json', '{"a":1}').encoding).toBe('JSON');
  });
  it('names the bad line', () => {
    expect(() => parseCaptureLines('{"captureData":{},"eventMetadata":{"eventId":"x","inferenceTime":"t"},"eventVersion":"0"}\nnot json')).toThrow(/line 2 is not JSON/);
    expect(() => parseGroundTruthLines('{"groundTruthData":{"data":"1"},"eventMetadata":{"eventId":"a"},"eventVersion":"0"}')).toThrow(/line 1: groundTruthData.encoding/);
  });
  it('partitions by source and UTC hour', () => {
    expect(capturePartitionKey('ep/variant-a', '2022-02-14T07:25:49Z')).toBe('ep/variant-a/2022/02/14/07/');
    expect(() => capturePartitionKey('ep', 'yesterday')).toThrow(/Not a valid time/);
  });
  it('merges ground truth on inferenceId when present, else eventId', () => {
    const caps = parseCaptureLines(
      [
        formatCaptureLine({ eventId: 'e1', inferenceId: 'i1', inferenceTime: new Date(0) }),
        formatCaptureLine({ eventId: 'e2', inferenceTime: new Date(0) }),
        formatCaptureLine({ eventId: 'e3', inferenceTime: new Date(0) }),
      ].join('\n'),
    );
    const truth = parseGroundTruthLines([formatGroundTruthLine('i1', '1'), formatGroundTruthLine('e2', '0'), formatGroundTruthLine('e1', '1'), formatGroundTruthLine('e2', '1')].join('\n'));
    const r = mergeGroundTruth(caps, truth);
    expect(r.merged.map((m) => [m.capture.eventMetadata.eventId, m.groundTruth.groundTruthData.data])).toEqual([
      ['e1', '1'],
      ['e2', '1'],
    ]);
    expect(r.unmatchedCaptures.map((c) => c.eventMetadata.eventId)).toEqual(['e3']);
    expect(r.unmatchedGroundTruth.map((g) => g.eventMetadata.eventId)).toEqual(['e1']);
  });
  it('joins captured CSV payloads for the importer', () => {
    const recs = parseCaptureLines(
      [
        formatCaptureLine({ eventId: 'a', inferenceTime: new Date(0), input: encodeCaptureContent('INPUT', 'text/csv', '1,2\n3,4'), output: encodeCaptureContent('OUTPUT', 'text/csv', '0.1\n0.9') }),
        formatCaptureLine({ eventId: 'b', inferenceTime: new Date(0), input: encodeCaptureContent('INPUT', 'application/x-custom', '5,6') }),
      ].join('\n'),
    );
    expect(capturedCsv(recs, 'input')).toBe('1,2\n3,4\n5,6\n');
    expect(capturedCsv(recs, 'output')).toBe('0.1\n0.9\n');
    const json = parseCaptureLines(formatCaptureLine({ eventId: 'j', inferenceTime: new Date(0), input: encodeCaptureContent('INPUT', 'application/json', '{}') }));
    expect(() => capturedCsv(json, 'input')).toThrow(/holds JSON/);
  });
});

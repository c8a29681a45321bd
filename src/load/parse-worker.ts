import { type MessagePort, workerData } from 'node:worker_threads';
import { CLAIMED, carriedByJson, type PieceAnswer, type PieceJob, parsePiece, SENT } from './parse-helper.js';

/*
 * The helper thread of parse-helper.ts: takes a table's pieces from the back, while the loader's thread
 * takes them from the front, and posts each piece's value as JSON text. Its parse is the loader's own
 * (parsePiece); a value JSON would not carry exactly is left for the loader to parse.
 */

const port = (workerData as { port: MessagePort }).port;

port.on('message', (job: PieceJob) => {
  const claims = new Int32Array(job.claims);
  for (let taken = 0; taken < job.texts.length; taken++) {
    if (Atomics.add(claims, CLAIMED, 1) >= job.pieces) break;
    Atomics.notify(claims, CLAIMED); // (the loader's thread waits for this one with helperFirst)
    const answer: PieceAnswer = { job: job.job, piece: job.pieces - 1 - taken };
    const json = pieceJson(job.texts[job.texts.length - 1 - taken]);
    port.postMessage(json === undefined ? answer : { ...answer, json });
    Atomics.add(claims, SENT, 1);
    Atomics.notify(claims, SENT);
  }
});

/** The piece's value as JSON, or undefined when it does not parse or JSON would change it. */
function pieceJson(text: string): string | undefined {
  try {
    const value = parsePiece(text);
    return carriedByJson(value) ? JSON.stringify(value) : undefined;
  } catch {
    return undefined; // the loader parses it again and meets the same error
  }
}

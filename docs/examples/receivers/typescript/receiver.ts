/**
 * A webhookd receiver in TypeScript (Node.js), using the webhookd SDK's verifier.
 *
 * It verifies the signature over the raw body (stale timestamps are
 * rejected), deduplicates by event id, answers 200 at once and processes the
 * event after the response.
 *
 *   npm install && npm run build
 *   WEBHOOK_SECRET=... PORT=9000 node dist/receiver.js
 */
import { createServer, type ServerResponse } from 'node:http';
import { ID_HEADER, verify, WebhookVerificationError } from '@webhookd/client';

// Several comma-separated secrets while you rotate yours.
const secrets = (process.env.WEBHOOK_SECRET ?? '').split(',');
const seenEventIds = new Set<string>(); // production: a table with a unique key

/** The slow part: runs after webhookd already has its 200. */
async function processEvent(eventId: string, body: Buffer): Promise<void> {
  console.log(`processing ${eventId}: ${body.toString('utf8')}`);
}

function reply(res: ServerResponse, status: number, answer: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks); // raw bytes, never JSON.parse + JSON.stringify
    try {
      verify(body, req.headers, secrets); // tolerance: 300 s
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        return reply(res, 401, { error: error.code });
      }
      throw error;
    }

    const eventId = req.headers[ID_HEADER.toLowerCase()] as string;
    const duplicate = seenEventIds.has(eventId);
    seenEventIds.add(eventId);
    reply(res, 200, { duplicate });
    if (!duplicate) {
      setImmediate(() => processEvent(eventId, body).catch(console.error));
    }
  });
});

const port = Number(process.env.PORT ?? 9000);
server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));

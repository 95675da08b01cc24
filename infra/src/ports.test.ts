import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { assertPortsFree, findFreePort, isPortFree, PortInUseError } from './ports';

test('findFreePort returns a bindable port', async () => {
  const port = await findFreePort();
  assert.ok(port > 0);
  assert.equal(await isPortFree('127.0.0.1', port), true);
});

test('assertPortsFree names the service, the port and the fix', async () => {
  const port = await findFreePort();
  const free = await findFreePort();
  const srv = net.createServer().listen(port, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  try {
    await assertPortsFree([{ name: 'minio', host: '127.0.0.1', port: free }]);
    await assert.rejects(
      assertPortsFree([
        { name: 'temporal', host: '127.0.0.1', port: free },
        { name: 'minio', host: '127.0.0.1', port },
      ]),
      (e: unknown) => {
        assert.ok(e instanceof PortInUseError);
        assert.deepEqual(e.busy.map((b) => b.port), [port]);
        assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port} \\(needed by minio\\)`));
        assert.match(e.message, /--port-offset/);
        return true;
      },
    );
  } finally {
    srv.close();
  }
});

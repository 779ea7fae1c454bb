import type { BlobStore } from '../../functions/ports.ts';

/** An in-memory BlobStore with the port's semantics, for tests that do not exercise S3 itself. */
export class MemoryBlobStore implements BlobStore {
  readonly location = 'memory://test';
  readonly objects = new Map<string, string>();

  async put(key: string, body: string): Promise<void> {
    this.objects.set(key, body);
  }

  async get(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async move(fromKey: string, toKey: string): Promise<void> {
    const body = this.objects.get(fromKey);
    if (body === undefined) throw new Error(`NoSuchKey: ${fromKey}`);
    this.objects.set(toKey, body);
    this.objects.delete(fromKey);
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}

/**
 * Make a folder that this process cannot write into, as a site folder owned by another user
 * or on a read-only mount is: chmod for an ordinary user; for root (who writes through
 * permissions) the immutable attribute. Undefined when neither works here (the test says so).
 */
import { execFileSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';

export async function makeUnwritable(dir: string): Promise<(() => Promise<void>) | undefined> {
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return async () => {
      execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    };
  } catch {
    // No chattr, or a file system without the attribute: the caller skips its test.
    return undefined;
  }
}

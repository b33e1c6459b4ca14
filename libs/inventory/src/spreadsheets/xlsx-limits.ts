import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { InventoryError, InventoryErrorCode } from '../shared/inventory-error';

/** What a workbook may unpack to: far above an office's inventory (100,000 rows is about 30 MB). */
export const MAX_UNPACKED_BYTES = 200 * 1024 * 1024;
/** Files inside the zip: a workbook has a dozen or two. */
const MAX_ENTRIES = 1000;
/** Rows and columns of the sheet read. */
export const MAX_ROWS = 200_000;
export const MAX_COLUMNS = 100;

function refuse(message: string): InventoryError {
  return new InventoryError(InventoryErrorCode.ImportRejected, 'The workbook is too large to import', [{ field: 'file', message }]);
}

/**
 * Checks an XLSX (a zip) before it is unpacked into memory: how many files it holds and what they
 * unpack to, both as declared and as actually inflated (streamed and counted, nothing kept), so a
 * small file that unpacks to gigabytes is refused with a clear message instead of filling memory.
 */
export async function checkXlsxSize(body: Buffer, limit = MAX_UNPACKED_BYTES): Promise<void> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(body, { lazyEntries: true, validateEntrySizes: true }, (err, z) => (err || !z ? reject(err ?? new Error('no zip')) : resolve(z))),
  ).catch((err: Error) => {
    throw new InventoryError(InventoryErrorCode.ImportRejected, 'The file is not a readable XLSX workbook', [{ field: 'file', message: err.message }]);
  });
  let entries = 0;
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: Entry) => {
        entries++;
        if (entries > MAX_ENTRIES) return reject(refuse(`the workbook holds more than ${MAX_ENTRIES} files`));
        if (total + entry.uncompressedSize > limit) return reject(refuse(`the workbook unpacks to more than ${limit / 1024 / 1024} MB; split it into several files`));
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('unreadable entry'));
          stream.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > limit) {
              stream.destroy();
              reject(refuse(`the workbook unpacks to more than ${limit / 1024 / 1024} MB; split it into several files`));
            }
          });
          stream.on('error', reject);
          stream.on('end', () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  } catch (err) {
    if (err instanceof InventoryError) throw err;
    throw new InventoryError(InventoryErrorCode.ImportRejected, 'The file is not a readable XLSX workbook', [{ field: 'file', message: (err as Error).message }]);
  } finally {
    zip.close();
  }
}

/** Refuses a sheet with more rows or columns than an inventory can have. */
export function checkSheetSize(rows: number, columns: number): void {
  if (rows > MAX_ROWS + 1) throw refuse(`the sheet has ${rows} rows; at most ${MAX_ROWS.toLocaleString('en')} rows per file (split it)`);
  if (columns > MAX_COLUMNS) throw refuse(`the sheet has ${columns} columns; at most ${MAX_COLUMNS}`);
}

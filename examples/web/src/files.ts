/** A file picked by the seller, with its path inside the model's folder. */
export type PickedFile = { path: string; file: File }

export function filesFromInput(list: FileList | null): PickedFile[] {
  return [...(list ?? [])].map((file) => ({ path: stripTop(file.webkitRelativePath || file.name), file }))
}

/** Reads dropped files and folders (walking folders through the File System entries API). */
export async function filesFromDrop(transfer: DataTransfer): Promise<PickedFile[]> {
  // read every item now: a DataTransfer empties once the drop handler yields
  const items = [...transfer.items].filter((item) => item.kind === 'file').map((item) => ({ entry: item.webkitGetAsEntry(), file: item.getAsFile() }))
  const entries = items.map((i) => i.entry).filter((e): e is FileSystemEntry => e !== null)
  // items without an entry (a drag source or browser that gives none, e.g. files put in a DataTransfer by script) are plain files
  const out: PickedFile[] = items.flatMap(({ entry, file }) => (entry === null && file ? [{ path: file.name, file }] : []))
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))
      out.push({ path: `${prefix}${entry.name}`, file })
      return
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader()
    // readEntries returns a folder in batches until an empty one
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
      if (batch.length === 0) break
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`)
    }
  }
  for (const entry of entries) await walk(entry, '')
  // one dropped folder is the model itself: its files' paths are relative to it
  return items.length === 1 && entries[0]?.isDirectory ? out.map((f) => ({ ...f, path: stripTop(f.path) })) : out
}

function stripTop(path: string): string {
  const slash = path.indexOf('/')
  return slash === -1 ? path : path.slice(slash + 1)
}

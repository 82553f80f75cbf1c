import { join } from 'node:path'
import type { Plan } from '../../src/core/plan-file.ts'
import type { ConflictStrategy } from '../../src/core/policy.ts'
import { type GoldenPair, goldenPair, plantFolder } from './golden-pair.ts'

/**
 * The scenarios whose plans are kept in `plans/<name>.json`. Each is a short story told through the public
 * pieces (plan, apply) on two in-memory sides: what the folders held, what was synced, what changed
 * since; it ends with the plan a person would review next. Minutes are after 2026-01-01T00:00:00Z.
 */
export interface GoldenScenario {
  /** The plan file's name, without `.json`. */
  readonly name: string
  /** One line for plans/README.md. */
  readonly about: string
  readonly plan: () => Promise<Plan>
}

const quickstart = join(import.meta.dirname, '..', '..', 'examples', 'quickstart')

/** A pair synced two-way (with `keep-both`) after the source got `files` at minute 0. */
const synced = async (files: Readonly<Record<string, string>>): Promise<GoldenPair> => {
  const pair = goldenPair()
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) pair.source.mkdir(path.slice(0, -1))
    else pair.source.put(path, content, 0)
  }
  await pair.sync()
  return pair
}

/** Both sides changed `notes.md` since the last sync: the source at minute 10, the destination at 20. */
const bothEdited = (conflict: ConflictStrategy): GoldenScenario => ({
  name: `conflict-${conflict}`,
  about: `both sides edited notes.md since the last sync (the destination later); \`--conflict ${conflict}\``,
  plan: async () => {
    const pair = await synced({ 'notes.md': 'shopping list\n', 'other.md': 'untouched\n' })
    pair.source.put('notes.md', 'shopping list\n- milk\n', 10)
    pair.destination.put('notes.md', 'shopping list\n- bread\n- eggs\n', 20)
    return pair.plan({ conflict })
  },
})

/** A synced base with a file and a folder, then the source renames both. */
const renamedOnSource = async (): Promise<GoldenPair> => {
  const pair = await synced({
    'report-draft.md': 'Q4 report\n',
    'photos/cat.jpg': 'a cat\n',
    'photos/dog.jpg': 'a dog\n',
  })
  await pair.source.rename('report-draft.md', 'report.md')
  await pair.source.rename('photos', 'pictures')
  return pair
}

export const scenarios: ReadonlyArray<GoldenScenario> = [
  {
    name: 'quickstart',
    about: 'the first two-way sync of examples/quickstart: `laptop` (with a `.syncignore`) and `nas`',
    plan: async () => {
      const pair = goldenPair()
      await plantFolder(pair.source, join(quickstart, 'laptop'), 0)
      await plantFolder(pair.destination, join(quickstart, 'nas'), 0)
      return pair.plan()
    },
  },
  {
    name: 'first-sync-merge',
    about: 'first sync, no state: each side gets what only the other has; an identical file is recorded',
    plan: async () => {
      const pair = goldenPair()
      pair.source.put('notes/ideas.md', 'ideas\n', 0)
      pair.source.put('shared.txt', 'same on both\n', 0)
      pair.destination.put('photos/beach.jpg', 'sand and sea\n', 0)
      pair.destination.put('shared.txt', 'same on both\n', 0)
      return pair.plan()
    },
  },
  {
    name: 'first-sync-differing-file',
    about: 'first sync, no state: todo.md differs between the sides, a conflict (keep-both by default)',
    plan: async () => {
      const pair = goldenPair()
      pair.source.put('todo.md', '- call mum\n', 0)
      pair.destination.put('todo.md', '- call mum\n- water plants\n', 5)
      return pair.plan()
    },
  },
  {
    name: 'in-sync',
    about: 'right after a sync, with nothing changed: an empty plan',
    plan: async () => {
      const pair = await synced({ 'a.txt': 'a\n', 'docs/b.md': 'b\n' })
      return pair.plan()
    },
  },
  {
    name: 'edit-on-source',
    about: 'two-way: a file edited on the source since the last sync is uploaded',
    plan: async () => {
      const pair = await synced({ 'a.txt': 'a\n', 'b.txt': 'b\n' })
      pair.source.put('a.txt', 'a, edited on the source\n', 10)
      return pair.plan()
    },
  },
  {
    name: 'edit-on-destination',
    about: 'two-way: a file edited on the destination since the last sync is downloaded',
    plan: async () => {
      const pair = await synced({ 'a.txt': 'a\n', 'b.txt': 'b\n' })
      pair.destination.put('b.txt', 'b, edited on the destination\n', 10)
      return pair.plan()
    },
  },
  {
    name: 'delete-on-source',
    about: 'two-way: a file and a folder deleted on the source are deleted on the destination',
    plan: async () => {
      const pair = await synced({ 'keep.txt': 'k\n', 'old.txt': 'o\n', 'archive/2024.txt': 'x\n' })
      pair.source.remove('old.txt')
      pair.source.remove('archive')
      return pair.plan()
    },
  },
  {
    name: 'mass-delete-blocked',
    about: 'two-way: the source deleted 11 of its 12 files; the plan is blocked by the delete guard',
    plan: async () => {
      const files = Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [
          `photos/${String(i + 1).padStart(2, '0')}.jpg`,
          `photo ${i}\n`,
        ]),
      )
      const pair = await synced(files)
      for (const path of Object.keys(files).slice(1)) pair.source.remove(path)
      return pair.plan()
    },
  },
  {
    name: 'edit-on-source-vs-delete-on-destination',
    about: 'two-way: edited on the source, deleted on the destination: the change wins (uploaded again)',
    plan: async () => {
      const pair = await synced({ 'plan.md': 'v1\n' })
      pair.source.put('plan.md', 'v2, edited on the source\n', 10)
      pair.destination.remove('plan.md')
      return pair.plan()
    },
  },
  {
    name: 'delete-on-source-vs-edit-on-destination',
    about: 'two-way: deleted on the source, edited on the destination: the change wins (downloaded again)',
    plan: async () => {
      const pair = await synced({ 'plan.md': 'v1\n' })
      pair.source.remove('plan.md')
      pair.destination.put('plan.md', 'v2, edited on the destination\n', 10)
      return pair.plan()
    },
  },
  bothEdited('newest'),
  bothEdited('source'),
  bothEdited('destination'),
  bothEdited('keep-both'),
  bothEdited('manual'),
  {
    name: 'rename-on-source-two-way',
    about: 'two-way: the source renamed a file and a folder; the same renames on the destination',
    plan: async () => (await renamedOnSource()).plan(),
  },
  {
    name: 'rename-on-source-backup',
    about:
      'source-backup: the source renamed a file and a folder; the backup gains the new names and keeps the old',
    plan: async () => (await renamedOnSource()).plan({ mode: 'source-backup' }),
  },
  {
    name: 'move-across-folders',
    about:
      'two-way: the destination moved a file into a new folder; the source gets the folder and the same move',
    plan: async () => {
      const pair = await synced({ 'inbox/invoice.pdf': 'invoice\n', 'inbox/letter.txt': 'letter\n' })
      pair.destination.mkdir('archive/2026')
      await pair.destination.rename('inbox/invoice.pdf', 'archive/2026/invoice.pdf')
      return pair.plan()
    },
  },
  {
    name: 'rename-and-edit',
    about:
      'two-way: the source renamed draft.md to final.md and then edited it: a move, then the new content',
    plan: async () => {
      const pair = await synced({ 'draft.md': 'first draft\n', 'notes.md': 'notes\n' })
      await pair.source.rename('draft.md', 'final.md')
      pair.source.put('final.md', 'final text, longer than the draft\n', 10)
      return pair.plan()
    },
  },
  {
    name: 'case-only-rename',
    about: 'two-way: the source renamed readme.md to README.md; the destination gets the same rename',
    plan: async () => {
      const pair = await synced({ 'readme.md': 'hello\n' })
      await pair.source.rename('readme.md', 'README.md')
      return pair.plan()
    },
  },
  {
    name: 'mirror-undoes-target-rename',
    about: 'source-to-destination: a rename made on the mirror is moved back',
    plan: async () => {
      const pair = await synced({ 'a.txt': 'a\n', 'b.txt': 'b\n' })
      await pair.destination.rename('a.txt', 'renamed-by-hand.txt')
      return pair.plan({ mode: 'source-to-destination' })
    },
  },
  {
    name: 'force-upload',
    about: 'two-way with `--force-upload`: files already alike are sent again, marked forced',
    plan: async () => {
      const pair = await synced({ 'a.txt': 'a\n', 'b.txt': 'b\n' })
      return pair.plan({ force: { upload: true, download: false } })
    },
  },
  {
    name: 'ignore-rules',
    about:
      'first sync with `--ignore *.tmp` and a `.syncignore` (`*.log`, `!keep.log`, `build/`); each side’s rules apply to both',
    plan: async () => {
      const pair = goldenPair()
      pair.source.put('.syncignore', '*.log\n!keep.log\nbuild/\n', 0)
      pair.source.put('src/main.ts', 'main\n', 0)
      pair.source.put('debug.log', 'noise\n', 0)
      pair.source.put('keep.log', 'wanted\n', 0)
      pair.source.put('build/app.js', 'bundle\n', 0)
      pair.source.put('scratch.tmp', 'temporary\n', 0)
      pair.destination.put('server.log', 'ignored by the source’s rules\n', 0)
      pair.destination.put('cache/page.tmp', 'ignored by --ignore\n', 0)
      pair.destination.put('readme.md', 'hello\n', 0)
      return pair.plan({ ignore: ['*.tmp'] })
    },
  },
  {
    name: 'mirror-deletes-extras',
    about:
      'source-to-destination: the destination is made equal to the source; its extras are deleted, ignored files kept',
    plan: async () => {
      const pair = await synced({ 'site/index.html': 'home\n', 'site/about.html': 'about\n' })
      pair.source.put('site/index.html', 'home, new\n', 10)
      pair.destination.put('site/about.html', 'about, edited on the server\n', 10)
      pair.destination.put('site/old.html', 'left over\n', 10)
      pair.destination.put('stale/notes.txt', 'left over\n', 10)
      pair.destination.put('site/access.log', 'ignored, so kept\n', 10)
      return pair.plan({ mode: 'source-to-destination', ignore: ['*.log'] })
    },
  },
  {
    name: 'backup-keeps-extras',
    about:
      'source-backup: edits and new files are copied; deletions on the source and extras in the backup stay',
    plan: async () => {
      const pair = await synced({ 'photos/1.jpg': 'one\n', 'photos/2.jpg': 'two\n', 'notes.md': 'v1\n' })
      pair.source.remove('photos/1.jpg')
      pair.source.put('notes.md', 'v2\n', 10)
      pair.source.put('photos/3.jpg', 'three\n', 10)
      pair.destination.put('only-in-backup.txt', 'extra\n', 10)
      return pair.plan({ mode: 'source-backup' })
    },
  },
  {
    name: 'download-mirror',
    about: 'destination-to-source: the source is made equal to the destination, like downloading a folder',
    plan: async () => {
      const pair = goldenPair()
      pair.source.put('docs/guide.md', 'local copy, outdated\n', 0)
      pair.source.put('docs/local-only.txt', 'not on the remote\n', 0)
      pair.destination.put('docs/guide.md', 'remote copy, current\n', 10)
      pair.destination.put('docs/faq.md', 'questions\n', 10)
      return pair.plan({ mode: 'destination-to-source' })
    },
  },
  {
    name: 'file-folder-clash',
    about: 'first sync: `notes` is a file on the source and a folder on the destination',
    plan: async () => {
      const pair = goldenPair()
      pair.source.put('notes', 'a file called notes\n', 0)
      pair.destination.put('notes/todo.md', 'a folder called notes\n', 0)
      return pair.plan()
    },
  },
  {
    name: 'empty-folders',
    about: 'two-way: empty folders are created on the other side, and an empty folder deleted is deleted',
    plan: async () => {
      const pair = await synced({ 'old-empty/': '', 'file.txt': 'f\n' })
      pair.source.remove('old-empty')
      pair.source.mkdir('inbox')
      pair.source.mkdir('projects/2026')
      pair.destination.mkdir('archive')
      return pair.plan()
    },
  },
  {
    name: 'include',
    about: 'first sync with `--include docs/ --include *.pdf`: folders outside are only passed through',
    plan: async () => {
      const pair = goldenPair()
      pair.source.put('docs/manual.md', 'manual\n', 0)
      pair.source.put('reports/2026/q1.pdf', 'numbers\n', 0)
      pair.source.put('reports/2026/draft.txt', 'not included\n', 0)
      pair.source.put('src/app.ts', 'not included\n', 0)
      pair.destination.put('docs/faq.md', 'faq\n', 0)
      pair.destination.put('music/song.mp3', 'not included\n', 0)
      return pair.plan({ include: ['docs/', '*.pdf'] })
    },
  },
  {
    name: 'symlinks-and-exec-bit',
    about: 'first sync of an executable script and a symlink',
    plan: async () => {
      const pair = goldenPair()
      pair.source.put('bin/deploy.sh', '#!/bin/sh\necho deploy\n', 0, { exec: true })
      pair.source.storage.putSymlink('latest', 'bin/deploy.sh')
      return pair.plan()
    },
  },
]

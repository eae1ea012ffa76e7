// The default data directory is shared with the CLI (`cairn schedules`), so it lives in the core.
export { APP_DIR_NAME, defaultDataDir } from '../core/data-dir'

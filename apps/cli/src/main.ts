import { runCli } from './cli';
import { readProcessEnvironment } from './config';
import { createDefaultContext } from './context';
import { createProcessOutput } from './output';

const exit = (code: number): never => process.exit(code);
const context = createDefaultContext(readProcessEnvironment(), createProcessOutput());
const exitCode = await runCli(process.argv.slice(2), context, exit);
// Exit explicitly: an engine client's keep-alive socket must not keep a finished command alive.
process.exit(exitCode);

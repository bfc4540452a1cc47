/**
 * `npm run engine -- <command>`: the project's Docker engine by hand (dev/README.md, "The Docker
 * engine"). `start` installs missing Debian packages and starts the engine and the loopback
 * registry (or reuses them), `stop` stops them, `status` says what runs, `env` prints the shell
 * lines that point the `docker` CLI at it, `images` builds the local base image and the egress
 * stand-in (cached). The state folder is `SECURE_MCP_DOCKER_DIR` (default `.docker/`).
 */
import { engineAnswers } from './docker-api.ts';
import { engineLayout, EngineUnavailableError, readEngineState, startEngine, stopEngine } from './engine.ts';
import { prepareLocalImages } from './local-images.ts';

const usage = 'Usage: npm run engine -- start | stop | status | env | images';
const [command, ...rest] = process.argv.slice(2);
const log = (line: string) => console.error(`engine: ${line}`);

if (rest.length > 0 || command === undefined) {
  console.error(usage);
  process.exit(2);
}

const layout = engineLayout();
try {
  switch (command) {
    case 'start': {
      const engine = await startEngine({ layout, installPackages: true, log });
      console.log(`DOCKER_HOST=${engine.dockerHost}`);
      console.log(`registry ${engine.registry}`);
      break;
    }
    case 'stop':
      await stopEngine(layout, log);
      break;
    case 'status': {
      const state = await readEngineState(layout);
      const answers = await engineAnswers(layout.socket);
      console.log(`state folder  ${layout.stateDir}`);
      console.log(`DOCKER_HOST   ${layout.dockerHost}  (${answers ? 'answers' : 'not running'})`);
      if (state)
        console.log(
          `registry      ${state.registry}  (pids: dockerd ${state.dockerdPid}, containerd ${state.containerdPid}, registry ${state.registryPid})`,
        );
      process.exit(answers ? 0 : 1);
      break;
    }
    case 'env':
      console.log(`export DOCKER_HOST=${layout.dockerHost}`);
      console.log(`export SECURE_MCP_DOCKER_DIR=${layout.stateDir}`);
      break;
    case 'images': {
      const engine = await startEngine({ layout, installPackages: true, log });
      const images = await prepareLocalImages(engine, { log });
      console.log(`base image     ${images.baseImage.reference}`);
      console.log(`egress sidecar ${images.egressImage}`);
      break;
    }
    default:
      console.error(usage);
      process.exit(2);
  }
} catch (error) {
  if (error instanceof EngineUnavailableError) {
    console.error(`engine: cannot start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

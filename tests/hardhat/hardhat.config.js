// Hardhat 2 project aimed at a running Lumio node (or anvil while Lumio is being built):
//   LUMIO_RPC_URL=http://127.0.0.1:8545 npx hardhat test --network lumio
const { subtask } = require('hardhat/config');
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require('hardhat/builtin-tasks/task-names');
require('@nomicfoundation/hardhat-ethers');
require('@nomicfoundation/hardhat-chai-matchers');

const SOLC_VERSION = require('solc/package.json').version;
const MNEMONIC = 'test test test test test test test test test test test junk';

// No compiler downloads (there is no network but the npm registry): always use the solc-js from npm.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async ({ solcVersion }) => {
  if (solcVersion !== SOLC_VERSION) {
    throw new Error(`only solc ${SOLC_VERSION} (npm solc) is available offline, config asks for ${solcVersion}`);
  }
  const solc = require('solc');
  return {
    compilerPath: require.resolve('solc/soljson.js'),
    isSolcJs: true,
    version: solcVersion,
    longVersion: solc.version().replace(/\.Emscripten\.clang$/, ''),
  };
});

module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: { evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 } },
  },
  defaultNetwork: 'lumio',
  networks: {
    lumio: {
      url: process.env.LUMIO_RPC_URL || 'http://127.0.0.1:8545',
      accounts: { mnemonic: MNEMONIC, count: 10 },
      timeout: 60_000,
    },
  },
  mocha: { timeout: 60_000 },
};

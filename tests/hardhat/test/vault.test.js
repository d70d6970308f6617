const { expect } = require('chai');
const { ethers, network } = require('hardhat');

describe('Vault on the lumio network', function () {
  let owner, alice, token, vault;

  before(async function () {
    [owner, alice] = await ethers.getSigners();
    token = await ethers.deployContract('VaultToken', [ethers.parseEther('1000')]);
    await token.waitForDeployment();
    vault = await ethers.deployContract('Vault', [await token.getAddress()]);
    await vault.waitForDeployment();
  });

  it('talks to the configured node with the mnemonic accounts', async function () {
    expect(network.name).to.equal('lumio');
    const { chainId } = await ethers.provider.getNetwork();
    expect(chainId).to.equal(BigInt(await network.provider.send('eth_chainId')));
    expect(owner.address).to.equal('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(await ethers.provider.getBalance(alice.address)).to.be.greaterThan(ethers.parseEther('1'));
  });

  it('deploys with the right state', async function () {
    expect(await vault.token()).to.equal(await token.getAddress());
    expect(await token.balanceOf(owner.address)).to.equal(ethers.parseEther('1000'));
    expect(await ethers.provider.getCode(await vault.getAddress())).to.not.equal('0x');
  });

  it('deposits ETH and tokens, emitting Deposited', async function () {
    await expect(token.approve(await vault.getAddress(), 500n)).to.emit(token, 'Approval');
    await expect(vault.deposit(300n, { value: ethers.parseEther('2') }))
      .to.emit(vault, 'Deposited')
      .withArgs(owner.address, ethers.parseEther('2'), 300n);
    expect(await vault.ethOf(owner.address)).to.equal(ethers.parseEther('2'));
    expect(await vault.tokensOf(owner.address)).to.equal(300n);
    expect(await token.balanceOf(await vault.getAddress())).to.equal(300n);
  });

  it('moves balances (changeEtherBalances / changeTokenBalances)', async function () {
    await expect(vault.connect(alice).deposit(0n, { value: 1000n })).to.changeEtherBalances(
      [alice, vault], [-1000n, 1000n]);
    await expect(token.transfer(alice.address, 7n)).to.changeTokenBalances(token, [owner, alice], [-7n, 7n]);
    await expect(vault.connect(alice).withdraw(400n)).to.changeEtherBalances([vault, alice], [-400n, 400n]);
  });

  it('reverts with a reason string', async function () {
    await expect(vault.deposit(0n)).to.be.revertedWith('Vault: empty deposit');
  });

  it('reverts with a custom error and its arguments', async function () {
    await expect(vault.connect(alice).withdraw(10_000n))
      .to.be.revertedWithCustomError(vault, 'NotEnough')
      .withArgs(600n, 10_000n);
  });

  it('reverts from OpenZeppelin (ERC20InsufficientAllowance) through SafeERC20', async function () {
    await expect(vault.connect(alice).deposit(5n)).to.be.revertedWithCustomError(token, 'ERC20InsufficientAllowance');
  });

  it('queries past events with eth_getLogs', async function () {
    const events = await vault.queryFilter(vault.filters.Deposited(), 0);
    expect(events.map((e) => [e.args.who, e.args.eth])).to.deep.equal([
      [owner.address, ethers.parseEther('2')],
      [alice.address, 1000n],
    ]);
  });

  it('evm_snapshot / evm_revert through the network provider', async function () {
    const id = await network.provider.send('evm_snapshot');
    await (await vault.deposit(0n, { value: 1n })).wait();
    expect(await vault.ethOf(owner.address)).to.equal(ethers.parseEther('2') + 1n);
    expect(await network.provider.send('evm_revert', [id])).to.equal(true);
    expect(await vault.ethOf(owner.address)).to.equal(ethers.parseEther('2'));
  });
});

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

contract VaultToken is ERC20 {
    constructor(uint256 supply) ERC20("Vault Token", "VLT") {
        _mint(msg.sender, supply);
    }
}

/// Holds ETH and one ERC-20 per depositor; exercises events, reverts (string + custom) and transfers.
contract Vault {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    mapping(address => uint256) public ethOf;
    mapping(address => uint256) public tokensOf;

    event Deposited(address indexed who, uint256 eth, uint256 tokens);
    event Withdrawn(address indexed who, uint256 eth);

    error NotEnough(uint256 have, uint256 want);

    constructor(IERC20 token_) {
        token = token_;
    }

    function deposit(uint256 tokens) external payable {
        require(msg.value > 0 || tokens > 0, "Vault: empty deposit");
        ethOf[msg.sender] += msg.value;
        if (tokens > 0) {
            tokensOf[msg.sender] += tokens;
            token.safeTransferFrom(msg.sender, address(this), tokens);
        }
        emit Deposited(msg.sender, msg.value, tokens);
    }

    function withdraw(uint256 amount) external {
        uint256 have = ethOf[msg.sender];
        if (amount > have) revert NotEnough(have, amount);
        ethOf[msg.sender] = have - amount;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "Vault: send failed");
        emit Withdrawn(msg.sender, amount);
    }
}

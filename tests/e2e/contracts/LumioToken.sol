// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// Plain OpenZeppelin ERC-20; the whole supply is minted to the deployer.
contract LumioToken is ERC20 {
    constructor(uint256 initialSupply) ERC20("Lumio Test Token", "LTT") {
        _mint(msg.sender, initialSupply);
    }
}

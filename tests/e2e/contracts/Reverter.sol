// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Exercises the three revert flavours clients must decode: Error(string), custom errors, Panic(uint256).
contract Reverter {
    error InsufficientBalance(address account, uint256 available, uint256 required);
    error Unauthorized();

    uint256 public counter;

    function requirePositive(uint256 x) external pure returns (uint256) {
        require(x > 0, "Reverter: x must be positive");
        return x * 2;
    }

    function withdraw(uint256 amount) external view {
        uint256 available = 10;
        if (amount > available) revert InsufficientBalance(msg.sender, available, amount);
    }

    function onlyNobody() external pure {
        revert Unauthorized();
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b; // Panic(0x12) when b == 0
    }

    /// State-changing so that a mined transaction can revert (receipt status 0).
    function bumpOrRevert(bool fail) external returns (uint256) {
        counter += 1;
        require(!fail, "Reverter: bump refused");
        return counter;
    }

    function bumpOrCustom(bool fail) external {
        counter += 1;
        if (fail) revert InsufficientBalance(msg.sender, counter, counter + 1);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Emits a spread of log shapes: 0-3 indexed topics, dynamic data, anonymous events, several logs per tx.
contract Events {
    event Ping(uint256 indexed id, address indexed from, string note);
    event Pair(bytes32 indexed a, bytes32 indexed b, bytes32 indexed c, uint256 value);
    event Data(bytes blob);
    event Quiet(uint256 indexed x) anonymous;

    uint256 public pings;

    function ping(string calldata note) external returns (uint256 id) {
        id = ++pings;
        emit Ping(id, msg.sender, note);
    }

    function burst(uint256 n) external {
        for (uint256 i = 0; i < n; i++) {
            emit Pair(bytes32(i), keccak256(abi.encode(i)), bytes32(uint256(uint160(msg.sender))), i * 7);
        }
        emit Data(abi.encodePacked("burst", n));
        emit Quiet(n);
    }
}

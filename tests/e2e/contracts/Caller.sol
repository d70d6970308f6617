// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Callee for contract-to-contract calls.
contract Store {
    uint256 public value;
    address public lastCaller;

    event ValueSet(address indexed caller, uint256 value);

    function set(uint256 v) external returns (uint256) {
        value = v;
        lastCaller = msg.sender;
        emit ValueSet(msg.sender, v);
        return v + 1;
    }

    function get() external view returns (uint256) {
        return value;
    }

    function fail() external pure {
        revert("Store: fail");
    }

    receive() external payable {}
}

/// Calls Store through typed calls, low-level call/staticcall and delegatecall, and try/catch.
contract Caller {
    uint256 public value; // slot 0, mirrors Store's layout for delegatecall
    address public lastCaller;

    event Forwarded(address indexed target, uint256 result);
    event CaughtRevert(string reason);

    function setThrough(Store store, uint256 v) external returns (uint256 r) {
        r = store.set(v);
        emit Forwarded(address(store), r);
    }

    function readThrough(Store store) external view returns (uint256) {
        return store.get();
    }

    function staticRead(address store) external view returns (uint256) {
        (bool ok, bytes memory ret) = store.staticcall(abi.encodeWithSignature("get()"));
        require(ok, "staticcall failed");
        return abi.decode(ret, (uint256));
    }

    function delegateSet(address store, uint256 v) external returns (uint256) {
        (bool ok, bytes memory ret) = store.delegatecall(abi.encodeWithSignature("set(uint256)", v));
        require(ok, "delegatecall failed");
        return abi.decode(ret, (uint256));
    }

    function catchFailure(Store store) external returns (bool) {
        try store.fail() {
            return false;
        } catch Error(string memory reason) {
            emit CaughtRevert(reason);
            return true;
        }
    }

    /// Lets the callee's revert bubble up unchanged.
    function bubble(Store store) external view {
        store.fail();
    }

    function forwardValue(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "value transfer failed");
    }
}

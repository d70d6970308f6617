// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Deployed by the factory; the constructor argument makes the init code (and address) depend on it.
contract Child {
    address public immutable factory;
    uint256 public immutable tag;

    constructor(uint256 tag_) {
        factory = msg.sender;
        tag = tag_;
    }

    function hello() external pure returns (string memory) {
        return "hello from child";
    }
}

contract Create2Factory {
    event Deployed(address indexed addr, bytes32 indexed salt);

    function deploy(bytes32 salt, bytes calldata initCode) external payable returns (address addr) {
        bytes memory code = initCode;
        assembly {
            addr := create2(callvalue(), add(code, 0x20), mload(code), salt)
        }
        require(addr != address(0), "Create2Factory: deploy failed");
        emit Deployed(addr, salt);
    }

    function deployChild(bytes32 salt, uint256 tag) external returns (address) {
        Child c = new Child{salt: salt}(tag);
        emit Deployed(address(c), salt);
        return address(c);
    }

    function predict(bytes32 salt, bytes32 initCodeHash) external view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initCodeHash)))));
    }
}

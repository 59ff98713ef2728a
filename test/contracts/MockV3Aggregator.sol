// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title A Chainlink AggregatorV3Interface price feed whose answer tests set.
contract MockV3Aggregator {
    uint8 public immutable decimals;
    string public constant description = "MOCK / USD";
    uint256 public constant version = 4;
    uint80 private round;
    int256 private answer;
    uint256 private updated;

    constructor(uint8 decimals_, int256 initialAnswer) {
        decimals = decimals_;
        updateAnswer(initialAnswer);
    }

    function updateAnswer(int256 newAnswer) public {
        round += 1;
        answer = newAnswer;
        updated = block.timestamp;
    }

    function updateRoundData(uint80 roundId, int256 newAnswer, uint256 updatedAt) external {
        round = roundId;
        answer = newAnswer;
        updated = updatedAt;
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 value, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return (round, answer, updated, updated, round);
    }
}
